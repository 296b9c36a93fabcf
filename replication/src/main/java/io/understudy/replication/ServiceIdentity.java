package io.understudy.replication;

import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.Hello;
import io.understudy.replication.codec.HelloReject;
import io.understudy.replication.codec.Role;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** What both sides of a replication link must agree on, as announced in HELLO, and the check of a peer's HELLO. */
final class ServiceIdentity {
    /** The HELLO protocol version this build speaks. */
    static final int PROTOCOL_VERSION = 1;

    /** Why a HELLO was refused: a {@link HelloReject} reason code and a one-line text naming what differs. */
    record Mismatch(int code, String text) {}

    private final int ip;
    private final long mac;
    private final int[] ports;
    private final long fingerprint;

    ServiceIdentity(int ip, long mac, int[] ports, long fingerprint) {
        this.ip = ip;
        this.mac = mac;
        this.ports = ports.clone();
        Arrays.sort(this.ports);
        this.fingerprint = fingerprint;
    }

    static ServiceIdentity of(ReplicationConfig c) {
        return new ServiceIdentity(c.serviceIp(), c.serviceMac(), c.ports().stream().mapToInt(Integer::intValue).toArray(),
                c.configFingerprint());
    }

    /** Writes our HELLO announcing {@code role}; returns its length. */
    int writeHello(FrameCodec codec, ByteBuffer buf, Role role) {
        return codec.hello(buf, 0, 0, PROTOCOL_VERSION, role, ip, mac, fingerprint, ports, ports.length);
    }

    /** Checks a peer's HELLO, which should announce {@code expected}; null when it matches. */
    Mismatch check(Hello h, Role expected) {
        if (h.protocolVersion() != PROTOCOL_VERSION) {
            return new Mismatch(HelloReject.VERSION_MISMATCH, "protocol version " + h.protocolVersion()
                    + " differs from ours " + PROTOCOL_VERSION);
        }
        if (h.role() != expected) {
            return new Mismatch(HelloReject.ROLE_CONFLICT, "peer announced role "
                    + (h.role() == null ? "code " + h.roleCode() : h.role().name()) + ", expected " + expected);
        }
        if (h.serviceIpv4() != ip) {
            return new Mismatch(HelloReject.SERVICE_MISMATCH, "service IP " + Ipv4Address.toString(h.serviceIpv4())
                    + " differs from ours " + Ipv4Address.toString(ip));
        }
        if (h.serviceMac() != mac) {
            return new Mismatch(HelloReject.SERVICE_MISMATCH, "service MAC " + MacAddress.toString(h.serviceMac())
                    + " differs from ours " + MacAddress.toString(mac));
        }
        int[] theirs = new int[h.portCount()];
        for (int i = 0; i < theirs.length; i++) theirs[i] = h.port(i);
        Arrays.sort(theirs);
        if (!Arrays.equals(theirs, ports)) {
            return new Mismatch(HelloReject.SERVICE_MISMATCH, "service ports " + Arrays.toString(theirs)
                    + " differ from ours " + Arrays.toString(ports));
        }
        if (h.configFingerprint() != fingerprint) {
            return new Mismatch(HelloReject.CONFIG_MISMATCH, "TCP config fingerprint "
                    + Long.toHexString(h.configFingerprint()) + " differs from ours " + Long.toHexString(fingerprint)
                    + " (MTU, MSS, window scaling, SACK, timestamps or receive buffer differ)");
        }
        return null;
    }

    @Override
    public String toString() {
        return Ipv4Address.toString(ip) + " " + MacAddress.toString(mac) + " ports " + Arrays.toString(ports);
    }
}
