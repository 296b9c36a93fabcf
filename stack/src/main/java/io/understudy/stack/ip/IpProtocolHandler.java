package io.understudy.stack.ip;

/** A transport protocol on top of IPv4 (ICMP, TCP). */
@FunctionalInterface
public interface IpProtocolHandler {
    /** A datagram for this protocol arrived; {@code d} is valid only during the call. */
    void onDatagram(long now, Ipv4Datagram d);
}
