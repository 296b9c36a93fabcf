/**
 * TCP: the layer that demultiplexes segments, runs listeners and owns the connections
 * ({@link io.understudy.stack.tcp.TcpLayer}), the connections ({@link io.understudy.stack.tcp.TcpConnection}, the TCB and its state machine,
 * with its send and receive halves {@code TcpSender} and {@code TcpReceiver}, sharing a
 * {@link io.understudy.stack.tcp.TcpContext} per stack) and their building blocks: keyed
 * initial sequence numbers and timestamp offsets ({@link io.understudy.stack.tcp.IsnGenerator}),
 * SYN cookies
 * ({@link io.understudy.stack.tcp.SynCookies}) under one replicated secret
 * ({@link io.understudy.stack.tcp.TcpSecret}), the receive and send queues
 * ({@link io.understudy.stack.tcp.ReceiveBuffer}, {@link io.understudy.stack.tcp.SendBuffer}, whose
 * descriptors are literal bytes or {@link io.understudy.stack.tcp.FileRegion}s read on demand
 * through channels the stack's connections share, {@code FileChannelCache}),
 * the retransmission timer estimator ({@link io.understudy.stack.tcp.RtoEstimator}, RFC 6298),
 * the SACK scoreboard ({@link io.understudy.stack.tcp.SackScoreboard}, RFC 2018 and RFC 6675)
 * and, in {@link io.understudy.stack.tcp.cc}, the pluggable congestion control.
 *
 * <p>Conventions: time is an argument ({@code long now}, nanoseconds, any origin, never read
 * from a clock here); sequence numbers are {@code int}s compared only through
 * {@link io.understudy.stack.wire.Seq}; every class is owned by the stack thread and is not
 * thread-safe; nothing allocates per segment. Bugs in the caller (a sequence number outside a
 * queue, a bad argument) throw; input from the network never does.
 */
package io.understudy.stack.tcp;
