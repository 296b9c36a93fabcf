package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/**
 * HELLO body:
 * {@code protocolVersion u16 | role u8 | reserved u8 | serviceIpv4 u32 | serviceMac 6 bytes |
 * portCount u16 | configFingerprint u64 | ports u16 × portCount}.
 */
public final class Hello {
    static final int PROTOCOL_VERSION = 0, ROLE = 2, RESERVED = 3, SERVICE_IPV4 = 4, SERVICE_MAC = 8,
                     PORT_COUNT = 14, CONFIG_FINGERPRINT = 16, PORTS = 24, MIN_LENGTH = PORTS;
    public static final int MAX_PORTS = 0xFFFF;
    private ByteBuffer buf; private int at;

    public Hello wrap(ByteBuffer buf, int at) { this.buf = buf; this.at = at; return this; }
    public Hello wrap(Frame frame) { return wrap(frame.buffer(), frame.bodyOffset()); }
    public int protocolVersion() { return buf.getShort(at + PROTOCOL_VERSION) & 0xFFFF; }
    /** The announced role, or {@code null} if the code is unknown (a policy decision for the caller). */
    public Role role() { return Role.of(roleCode()); }
    public int roleCode() { return buf.get(at + ROLE) & 0xFF; }
    public int serviceIpv4() { return buf.getInt(at + SERVICE_IPV4); }
    /** The 48-bit MAC in the low bits, first octet most significant. */
    public long serviceMac() {
        return ((long) (buf.getShort(at + SERVICE_MAC) & 0xFFFF) << 32) | (buf.getInt(at + SERVICE_MAC + 2) & 0xFFFFFFFFL);
    }
    public int portCount() { return buf.getShort(at + PORT_COUNT) & 0xFFFF; }
    public int port(int i) { return buf.getShort(at + PORTS + 2 * i) & 0xFFFF; }
    public long configFingerprint() { return buf.getLong(at + CONFIG_FINGERPRINT); }

    static boolean validLength(ByteBuffer buf, int at, int length) {
        return length >= MIN_LENGTH && length == MIN_LENGTH + 2 * (buf.getShort(at + PORT_COUNT) & 0xFFFF);
    }

    static int write(ByteBuffer buf, int at, int protocolVersion, Role role, int serviceIpv4, long serviceMac,
                     long configFingerprint, int[] ports, int portCount) {
        if (portCount < 0 || portCount > MAX_PORTS || portCount > ports.length) {
            throw new IllegalArgumentException("portCount " + portCount);
        }
        buf.putShort(at + PROTOCOL_VERSION, (short) protocolVersion);
        buf.put(at + ROLE, (byte) role.code);
        buf.put(at + RESERVED, (byte) 0);
        buf.putInt(at + SERVICE_IPV4, serviceIpv4);
        buf.putShort(at + SERVICE_MAC, (short) (serviceMac >>> 32));
        buf.putInt(at + SERVICE_MAC + 2, (int) serviceMac);
        buf.putShort(at + PORT_COUNT, (short) portCount);
        buf.putLong(at + CONFIG_FINGERPRINT, configFingerprint);
        for (int i = 0; i < portCount; i++) buf.putShort(at + PORTS + 2 * i, (short) ports[i]);
        return PORTS + 2 * portCount;
    }
}
