/**
 * Wire formats: reusable flyweight views over {@link java.nio.ByteBuffer}s (Ethernet, ARP,
 * IPv4, ICMPv4, TCP) and the small helpers they share (checksums, addresses, sequence
 * arithmetic, TCP options).
 *
 * <p>Conventions for every view: {@code wrap(buf, at, length)} points the view at
 * {@code length} bytes starting at absolute index {@code at} and returns it; all access is
 * through absolute {@code get}/{@code put}, so the buffer's position and limit are never
 * touched; offsets returned by a view ({@code payloadOffset()} and friends) are absolute
 * indexes into the same buffer, ready to wrap the next layer. Buffers are assumed to be
 * {@link java.nio.ByteOrder#BIG_ENDIAN} (the default), which is network byte order. Once a
 * view's validation passes, no getter throws; validation itself never throws on any bytes.
 * Nothing on the packet path allocates; only the text conversions of {@link MacAddress} and
 * {@link Ipv4Address}, meant for configuration and logs, create objects.
 */
package io.understudy.stack.wire;
