package io.understudy.stack.tcp;

import io.understudy.stack.wire.Ipv4Address;

/** A connection's identity: local and remote address and port. Ports are 0–65535. */
public record TcpTuple(int localIp, int localPort, int remoteIp, int remotePort) {
    @Override
    public String toString() {
        return Ipv4Address.toString(localIp) + ":" + localPort + "-" + Ipv4Address.toString(remoteIp) + ":" + remotePort;
    }
}
