/**
 * TCB replication: the delta codec ({@code codec}), the link transports ({@code link}), the
 * primary's shipper ({@link io.understudy.replication.Shipper}, the stack's
 * {@link io.understudy.stack.replication.ReplicationLog}), the standby's applier and shadow TCBs
 * ({@code shadow}), failure detection by link closure and heartbeats, and takeover. The launcher
 * starts it with {@link io.understudy.replication.Replication#start} and a
 * {@link io.understudy.replication.ReplicationConfig}, and reads
 * {@link io.understudy.replication.ReplicationStatus}.
 */
package io.understudy.replication;
