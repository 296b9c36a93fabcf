package io.understudy.stack.tcp;

import static io.understudy.stack.wire.TcpHeader.ACK;

import io.understudy.stack.wire.TcpHeader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds an incoming segment for {@link TcpHarness#receive}; unset fields take the harness' defaults. */
final class SegBuilder {
    int flags = ACK;
    int seq = TcpHarness.REMOTE + 1;
    int ack = TcpHarness.LOCAL + 1;
    /** Window field; negative: the harness' peer window. */
    int window = -1;
    int urgentPointer;
    byte[] payload = new byte[0];
    int mss = -1;
    int wscale = -1;
    boolean sackPermitted;
    /** Add timestamps automatically when the peer uses them. */
    boolean autoTs = true;
    boolean hasTs;
    int tsVal;
    int tsEcr;
    int[] sack = new int[0];
    byte[] rawOptions;

    SegBuilder flags(int f) {
        this.flags = f;
        return this;
    }

    SegBuilder seq(int s) {
        this.seq = s;
        return this;
    }

    SegBuilder ack(int a) {
        this.ack = a;
        return this;
    }

    SegBuilder window(int w) {
        this.window = w;
        return this;
    }

    SegBuilder urgentPointer(int up) {
        this.urgentPointer = up;
        return this;
    }

    SegBuilder payload(String text) {
        this.payload = text.getBytes(StandardCharsets.ISO_8859_1);
        return this;
    }

    SegBuilder payload(byte[] data) {
        this.payload = data.clone();
        return this;
    }

    /** {@code n} bytes of payload, byte i = (offset + i) mod 251, as {@link TcpHarness#appWrite(int)} writes. */
    SegBuilder len(int n) {
        return len(n, 0);
    }

    SegBuilder len(int n, int offset) {
        payload = new byte[n];
        for (int i = 0; i < n; i++) {
            payload[i] = (byte) ((offset + i) % 251);
        }
        return this;
    }

    SegBuilder mss(int m) {
        this.mss = m;
        return this;
    }

    SegBuilder wscale(int shift) {
        this.wscale = shift;
        return this;
    }

    SegBuilder sackPermitted() {
        this.sackPermitted = true;
        return this;
    }

    SegBuilder ts(int val, int ecr) {
        this.autoTs = false;
        this.hasTs = true;
        this.tsVal = val;
        this.tsEcr = ecr;
        return this;
    }

    SegBuilder noTs() {
        this.autoTs = false;
        this.hasTs = false;
        return this;
    }

    /** SACK blocks as left, right, left, right, … */
    SegBuilder sack(int... edges) {
        this.sack = edges.clone();
        return this;
    }

    /** The option bytes exactly as given (padded with EOL to a word), instead of the ones built. */
    SegBuilder rawOptions(int... bytes) {
        rawOptions = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            rawOptions[i] = (byte) bytes[i];
        }
        this.autoTs = false;
        return this;
    }

    byte[] options() {
        if (rawOptions != null) {
            return rawOptions;
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (mss >= 0) {
            o.write(2);
            o.write(4);
            o.write(mss >>> 8);
            o.write(mss);
        }
        if (sackPermitted) {
            o.write(1);
            o.write(1);
            o.write(4);
            o.write(2);
        }
        if (wscale >= 0) {
            o.write(1);
            o.write(3);
            o.write(3);
            o.write(wscale);
        }
        if (hasTs) {
            o.write(1);
            o.write(1);
            o.write(8);
            o.write(10);
            writeInt(o, tsVal);
            writeInt(o, tsEcr);
        }
        if (sack.length > 0) {
            o.write(1);
            o.write(1);
            o.write(5);
            o.write(2 + 4 * sack.length);
            for (int edge : sack) {
                writeInt(o, edge);
            }
        }
        return o.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream o, int v) {
        o.write(v >>> 24);
        o.write(v >>> 16);
        o.write(v >>> 8);
        o.write(v);
    }

    /** The segment's bytes, header at index 0. */
    ByteBuffer toBuffer() {
        byte[] opts = options();
        int optLen = (opts.length + 3) & ~3;
        if (optLen > 40) {
            throw new IllegalArgumentException("options do not fit: " + opts.length + " bytes");
        }
        int headerLength = TcpHeader.MIN_LENGTH + optLen;
        ByteBuffer buf = ByteBuffer.allocate(headerLength + payload.length);
        buf.put(TcpHeader.MIN_LENGTH, opts);
        buf.put(headerLength, payload);
        new TcpHeader().wrap(buf, 0, buf.limit()).srcPort(TcpHarness.REMOTE_PORT).dstPort(TcpHarness.LOCAL_PORT)
                .seq(seq).ack(ack).headerLength(headerLength).flags(flags).window(Math.max(window, 0))
                .urgentPointer(urgentPointer).writeChecksum(TcpHarness.REMOTE_IP, TcpHarness.LOCAL_IP);
        return buf;
    }
}
