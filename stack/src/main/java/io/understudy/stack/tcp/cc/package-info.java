/**
 * Congestion control: the {@link io.understudy.stack.tcp.cc.CongestionControl} contract, which
 * spells out what the TCB calls when, and its implementations
 * {@link io.understudy.stack.tcp.cc.NewReno} (RFC 5681, RFC 6582) and
 * {@link io.understudy.stack.tcp.cc.Cubic} (RFC 9438).
 */
package io.understudy.stack.tcp.cc;
