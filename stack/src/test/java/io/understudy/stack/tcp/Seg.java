package io.understudy.stack.tcp;

import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment the connection sent, as the harness parsed it: flags, numbers, window field, the
 * options of interest (-1 when absent) and the payload.
 */
record Seg(long at, int flags, int seq, int ack, int window, int mss, int wscale, boolean sackPermitted,
        boolean hasTs, int tsVal, int tsEcr, int[] sack, byte[] payload) {

    static Seg parse(long at, TcpHeader h, TcpOptions o) {
        if (!o.parse(h.buffer(), h.optionsOffset(), h.optionsLength())) {
            throw new AssertionError("we wrote malformed options: " + o.problem());
        }
        if (h.urgentPointer() != 0) {
            throw new AssertionError("urgent pointer set: " + h.urgentPointer());
        }
        int[] sack = new int[2 * o.sackBlockCount()];
        for (int i = 0; i < o.sackBlockCount(); i++) {
            sack[2 * i] = o.sackLeft(i);
            sack[2 * i + 1] = o.sackRight(i);
        }
        byte[] payload = new byte[h.payloadLength()];
        h.buffer().get(h.payloadOffset(), payload);
        return new Seg(at, h.flags(), h.seq(), h.ack(), h.window(), o.hasMss() ? o.mss() : -1,
                o.hasWindowScale() ? o.windowScale() : -1, o.sackPermitted(), o.hasTimestamps(), o.tsVal(), o.tsEcr(),
                sack, payload);
    }

    boolean has(int mask) {
        return (flags & mask) == mask;
    }

    int len() {
        return payload.length;
    }

    String text() {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }

    /** SEG.LEN: payload plus SYN and FIN. */
    int seqLen() {
        return payload.length + (has(TcpHeader.SYN) ? 1 : 0) + (has(TcpHeader.FIN) ? 1 : 0);
    }

    static String flagNames(int flags) {
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(names[i]);
            }
        }
        return out.isEmpty() ? "none" : String.join("|", out);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append('[').append(at / 1e6).append("ms] ").append(flagNames(flags))
                .append(" seq=").append(Integer.toUnsignedString(seq))
                .append(" ack=").append(Integer.toUnsignedString(ack))
                .append(" win=").append(window).append(" len=").append(payload.length);
        List<String> opts = new ArrayList<>();
        if (mss >= 0) {
            opts.add("mss " + mss);
        }
        if (wscale >= 0) {
            opts.add("ws " + wscale);
        }
        if (sackPermitted) {
            opts.add("sackOK");
        }
        if (hasTs) {
            opts.add("ts " + Integer.toUnsignedString(tsVal) + "/" + Integer.toUnsignedString(tsEcr));
        }
        for (int i = 0; i < sack.length; i += 2) {
            opts.add("sack " + Integer.toUnsignedString(sack[i]) + "-" + Integer.toUnsignedString(sack[i + 1]));
        }
        if (!opts.isEmpty()) {
            b.append(" <").append(String.join(", ", opts)).append('>');
        }
        return b.toString();
    }
}
