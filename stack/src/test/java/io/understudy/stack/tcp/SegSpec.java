package io.understudy.stack.tcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What an expected segment must look like; fields left unset are not checked. */
final class SegSpec {
    private Integer flags;
    private Integer seq;
    private Integer ack;
    private Integer window;
    private byte[] payload;
    private Integer len;
    private Integer mss;
    private Integer wscale;
    private Boolean sackPermitted;
    private Boolean hasTs;
    private Integer tsVal;
    private Integer tsEcr;
    private int[] sack;

    /** An expectation; chain setters. */
    static SegSpec segment() {
        return new SegSpec();
    }

    SegSpec flags(int f) {
        flags = f;
        return this;
    }

    SegSpec seq(int s) {
        seq = s;
        return this;
    }

    SegSpec ack(int a) {
        ack = a;
        return this;
    }

    SegSpec window(int w) {
        window = w;
        return this;
    }

    SegSpec payload(String text) {
        payload = text.getBytes(StandardCharsets.ISO_8859_1);
        return this;
    }

    SegSpec payload(byte[] data) {
        payload = data.clone();
        return this;
    }

    SegSpec len(int n) {
        len = n;
        return this;
    }

    SegSpec mss(int m) {
        mss = m;
        return this;
    }

    SegSpec noMss() {
        mss = -1;
        return this;
    }

    SegSpec wscale(int w) {
        wscale = w;
        return this;
    }

    SegSpec noWscale() {
        wscale = -1;
        return this;
    }

    SegSpec sackPermitted(boolean on) {
        sackPermitted = on;
        return this;
    }

    SegSpec ts(int val, int ecr) {
        hasTs = true;
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    SegSpec tsVal(int val) {
        hasTs = true;
        tsVal = val;
        return this;
    }

    SegSpec tsEcr(int ecr) {
        hasTs = true;
        tsEcr = ecr;
        return this;
    }

    SegSpec noTs() {
        hasTs = false;
        return this;
    }

    /** Exactly these SACK blocks, as left, right, … (none for an empty list). */
    SegSpec sack(int... edges) {
        sack = edges.clone();
        return this;
    }

    SegSpec noSack() {
        sack = new int[0];
        return this;
    }

    List<String> mismatches(Seg s) {
        List<String> out = new ArrayList<>();
        check(out, "flags", flags == null ? null : Seg.flagNames(flags), Seg.flagNames(s.flags()));
        check(out, "seq", unsigned(seq), Integer.toUnsignedString(s.seq()));
        check(out, "ack", unsigned(ack), Integer.toUnsignedString(s.ack()));
        check(out, "window", window, s.window());
        if (payload != null && !Arrays.equals(payload, s.payload())) {
            out.add("payload: expected " + new String(payload, StandardCharsets.ISO_8859_1) + " but was " + s.text());
        }
        check(out, "len", len, s.len());
        check(out, "mss", mss, s.mss());
        check(out, "wscale", wscale, s.wscale());
        check(out, "sackPermitted", sackPermitted, s.sackPermitted());
        check(out, "timestamps", hasTs, s.hasTs());
        check(out, "tsVal", unsigned(tsVal), Integer.toUnsignedString(s.tsVal()));
        check(out, "tsEcr", unsigned(tsEcr), Integer.toUnsignedString(s.tsEcr()));
        if (sack != null && !Arrays.equals(sack, s.sack())) {
            out.add("sack: expected " + Arrays.toString(sack) + " but was " + Arrays.toString(s.sack()));
        }
        return out;
    }

    private static String unsigned(Integer v) {
        return v == null ? null : Integer.toUnsignedString(v);
    }

    private static void check(List<String> out, String what, Object expected, Object actual) {
        if (expected != null && !expected.equals(actual)) {
            out.add(what + ": expected " + expected + " but was " + actual);
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (flags != null) {
            parts.add(Seg.flagNames(flags));
        }
        if (seq != null) {
            parts.add("seq=" + unsigned(seq));
        }
        if (ack != null) {
            parts.add("ack=" + unsigned(ack));
        }
        if (window != null) {
            parts.add("win=" + window);
        }
        if (len != null) {
            parts.add("len=" + len);
        }
        if (payload != null) {
            parts.add("payload=" + new String(payload, StandardCharsets.ISO_8859_1));
        }
        if (sack != null) {
            parts.add("sack=" + Arrays.toString(sack));
        }
        if (hasTs != null) {
            parts.add(hasTs ? "ts " + unsigned(tsVal) + "/" + unsigned(tsEcr) : "no ts");
        }
        return String.join(" ", parts);
    }
}
