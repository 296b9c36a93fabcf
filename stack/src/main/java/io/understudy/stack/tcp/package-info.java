/**
 * TCP building blocks for the TCB: keyed initial sequence numbers and timestamp offsets
 * ({@link io.understudy.stack.tcp.IsnGenerator}), SYN cookies
 * ({@link io.understudy.stack.tcp.SynCookies}) under one replicated secret
 * ({@link io.understudy.stack.tcp.TcpSecret}), and the receive and send queues
 * ({@link io.understudy.stack.tcp.ReceiveBuffer}, {@link io.understudy.stack.tcp.SendBuffer}).
 *
 * <p>Conventions: time is an argument ({@code long now}, nanoseconds, any origin, never read
 * from a clock here); sequence numbers are {@code int}s compared only through
 * {@link io.understudy.stack.wire.Seq}; every class is owned by the stack thread and is not
 * thread-safe; nothing allocates after construction. Bugs in the caller (a sequence number
 * outside a queue, a bad argument) throw; input from the network never does.
 */
package io.understudy.stack.tcp;
