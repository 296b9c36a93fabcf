package io.understudy.stack.tcp;

import io.understudy.stack.wire.Seq;

/**
 * Stateless SYN cookies (RFC 4987 §3.6), Linux style: a listener under SYN flood answers a SYN
 * with a SYN-ACK whose ISN is a cookie and keeps no state; the final ACK's acknowledgment
 * number brings the cookie back, and {@link #check} recovers the MSS (and, through the
 * timestamp echo, window scale and SACK-permitted) from it.
 *
 * <p>Cookie layout, before a keyed offset is added: bits 31–27 hold {@code t mod 32}, where
 * {@code t} counts {@link #PERIOD_NANOS} periods of {@code now} (RFC 4987's 64-second
 * counter); bits 26–25 the index of the MSS in {@code {536, 1300, 1440, 1460}} (Linux's
 * {@code msstab}; RFC 4987 suggests three bits, two suffice for four entries and the spare
 * one goes to the MAC); bits 24–0 a 25-bit MAC, SipHash-2-4 of (4-tuple, the peer's ISN,
 * full {@code t}, MSS index). The whole is then offset by a second keyed hash of (4-tuple,
 * peer's ISN), as Linux adds {@code hash(4-tuple) + sseq}, so the ISN reveals neither the
 * counter nor the MSS (RFC 6528 §2) and two connections' cookies are unrelated. A forged or
 * altered cookie passes with probability about 2<sup>-25</sup>; a change confined to the MAC
 * bits never passes.
 *
 * <p>A cookie is accepted when its counter is the current one or up to
 * {@link #MAX_AGE_PERIODS}{@code - 1} before it: a lifetime between 64 and 128 seconds, like
 * Linux's two-minute {@code MAX_SYNCOOKIE_AGE}. Options the cookie cannot carry are lost, as
 * RFC 4987 §3.6 accepts, unless timestamps are in use: then, as Linux does, the low
 * {@link #TS_OPTION_BITS} bits of our SYN-ACK's TSval carry window scale and SACK-permitted
 * ({@link #encodeTimestamp}) and come back in the final ACK's TSecr.
 *
 * <p>Replication: the key is replicated configuration, so a standby validates cookies the
 * primary issued — provided both instances pass {@code now} from a shared clock (for example
 * wall-clock nanoseconds), since the counter {@code t} comes from it. Not thread-safe; owned
 * by the stack thread. Allocates nothing: {@link #check} returns one reused {@link Decoded}.
 */
public final class SynCookies {
    /** Length of one counter period, in nanoseconds: 64 s (RFC 4987 §3.6). */
    public static final long PERIOD_NANOS = 64_000_000_000L;
    /** Counter periods a cookie stays valid in: the issuing one and the next. */
    public static final int MAX_AGE_PERIODS = 2;
    /** Low bits of a cookie SYN-ACK's TSval that carry options. */
    public static final int TS_OPTION_BITS = 6;
    /** Window shift value in the TSval's low four bits that means "no window scaling". */
    public static final int TS_NO_WINDOW_SCALE = 0xF;
    /** TSval bit that carries SACK-permitted. */
    public static final int TS_SACK_PERMITTED = 0x10;

    private static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    private static final int COUNTER_SHIFT = 27;
    private static final int COUNTER_MASK = 0x1F;
    private static final int MSS_SHIFT = 25;
    private static final int MSS_MASK = 0x3;
    private static final int MAC_MASK = (1 << MSS_SHIFT) - 1;
    private static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    private static final int TS_WINDOW_SCALE_MASK = 0xF;

    /** The outcome of {@link #check}: one instance per {@link SynCookies}, overwritten by each call. */
    public static final class Decoded {
        private boolean valid;
        private int mss;
        private int windowScale;
        private boolean sackPermitted;

        private Decoded() {}

        /** True when the cookie is authentic and recent; the other fields mean something only then. */
        public boolean valid() {
            return valid;
        }

        /** The send MSS the cookie carries: the table entry {@link #encodableMss} chose for {@link #cookieIsn}'s MSS. */
        public int mss() {
            return mss;
        }

        /** The peer's window shift (0–14) from the timestamp echo, or -1: no window scaling on this connection. */
        public int windowScale() {
            return windowScale;
        }

        /** True when the timestamp echo says the peer's SYN carried SACK-permitted. */
        public boolean sackPermitted() {
            return sackPermitted;
        }

        private Decoded invalid() {
            valid = false;
            mss = 0;
            windowScale = -1;
            sackPermitted = false;
            return this;
        }
    }

    private final SipHash sip;
    private final Decoded decoded = new Decoded();

    /** Cookies keyed with {@code secret}, which must be the one the standby uses too. */
    public SynCookies(TcpSecret secret) {
        this.sip = new SipHash(secret);
    }

    /**
     * The ISN to put in the SYN-ACK answering a SYN with sequence number {@code remoteIsn}, at
     * {@code now} (nanoseconds, on the clock shared with the standby). {@code mss} is the send
     * MSS the connection should use (the peer's MSS option, or 536 without one, RFC 9293
     * §3.7.1); the cookie keeps the largest table entry not above it, or 536 for smaller values
     * as Linux does.
     */
    public int cookieIsn(long now, int localIp, int localPort, int remoteIp, int remotePort, int remoteIsn, int mss) {
        long t = counter(now);
        int index = mssIndex(mss);
        int raw = (int) (t & COUNTER_MASK) << COUNTER_SHIFT | index << MSS_SHIFT
                | mac(localIp, localPort, remoteIp, remotePort, remoteIsn, t, index);
        return raw + offset(localIp, localPort, remoteIp, remotePort, remoteIsn);
    }

    /**
     * Checks the cookie returned by a final ACK: pass {@code remoteIsn = SEG.SEQ - 1} and
     * {@code cookie = SEG.ACK - 1}, and the ACK's timestamp echo when it carries timestamps.
     * Returns the shared {@link Decoded}, valid until the next call. An ACK whose SEG.SEQ is not
     * the peer's ISN + 1 (the first ACK was lost and later data arrived) fails, as on Linux.
     */
    public Decoded check(long now, int localIp, int localPort, int remoteIp, int remotePort,
                         int remoteIsn, int cookie, boolean hasTimestamps, int tsEcr) {
        int raw = cookie - offset(localIp, localPort, remoteIp, remotePort, remoteIsn);
        long tNow = counter(now);
        // The cookie carries t mod 32: its age in periods is the difference modulo 32. A cookie
        // from the future or older than MAX_AGE_PERIODS falls outside [0, MAX_AGE_PERIODS).
        int age = (int) ((tNow - (raw >>> COUNTER_SHIFT)) & COUNTER_MASK);
        if (age >= MAX_AGE_PERIODS) {
            return decoded.invalid();
        }
        int index = raw >>> MSS_SHIFT & MSS_MASK;
        if ((raw & MAC_MASK) != mac(localIp, localPort, remoteIp, remotePort, remoteIsn, tNow - age, index)) {
            return decoded.invalid();
        }
        decoded.valid = true;
        decoded.mss = MSS_TABLE[index];
        if (hasTimestamps) {
            // Linux cookie_timestamp_decode: our SYN-ACK's TSval, echoed, carries the options.
            int shift = tsEcr & TS_WINDOW_SCALE_MASK;
            decoded.windowScale = shift == TS_NO_WINDOW_SCALE ? -1 : shift;
            decoded.sackPermitted = (tsEcr & TS_SACK_PERMITTED) != 0;
        } else {
            // RFC 4987 §3.6: without the timestamp echo the SYN's other options are lost.
            decoded.windowScale = -1;
            decoded.sackPermitted = false;
        }
        return decoded;
    }

    /**
     * The TSval for a cookie SYN-ACK: {@code tsNow} (this connection's timestamp clock) with
     * its low {@link #TS_OPTION_BITS} bits replaced by the peer's window shift (0–14, or -1
     * for none) and SACK-permitted, never later than {@code tsNow} so the clock does not
     * appear to run backwards afterwards. Bit 5 (Linux's ECN) stays 0.
     */
    public static int encodeTimestamp(int tsNow, int windowScale, boolean sackPermitted) {
        if (windowScale < -1 || windowScale > TS_NO_WINDOW_SCALE - 1) {
            throw new IllegalArgumentException("window scale must be -1 or 0-14, got " + windowScale);
        }
        int options = (windowScale < 0 ? TS_NO_WINDOW_SCALE : windowScale) | (sackPermitted ? TS_SACK_PERMITTED : 0);
        int ts = (tsNow & ~TS_OPTION_MASK) | options;
        if (Seq.gt(ts, tsNow)) {
            ts -= 1 << TS_OPTION_BITS;
        }
        return ts;
    }

    /** The MSS a cookie carries when {@link #cookieIsn} is given {@code mss}. */
    public static int encodableMss(int mss) {
        return MSS_TABLE[mssIndex(mss)];
    }

    private static int mssIndex(int mss) {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && mss < MSS_TABLE[i]) {
            i--;
        }
        return i;
    }

    private static long counter(long now) {
        return Math.floorDiv(now, PERIOD_NANOS);
    }

    private int offset(int localIp, int localPort, int remoteIp, int remotePort, int remoteIsn) {
        return (int) sip.hashTuple(SipHash.TAG_COOKIE_OFFSET, localIp, localPort, remoteIp, remotePort,
                remoteIsn & 0xFFFF_FFFFL);
    }

    private int mac(int localIp, int localPort, int remoteIp, int remotePort, int remoteIsn, long t, int index) {
        long extra = (remoteIsn & 0xFFFF_FFFFL) | (long) index << 32 | t << 34;
        return (int) sip.hashTuple(SipHash.TAG_COOKIE_MAC, localIp, localPort, remoteIp, remotePort, extra) & MAC_MASK;
    }
}
