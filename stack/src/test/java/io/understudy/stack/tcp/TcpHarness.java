package io.understudy.stack.tcp;

import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.FIN;
import static io.understudy.stack.wire.TcpHeader.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A deterministic test bench for one {@link TcpConnection}: a fake clock, a sink that parses
 * every emitted segment into a {@link Seg}, builders for incoming segments, and fixtures that
 * drive a connection into any state.
 *
 * <p>It behaves like the TCP layer: after every event it calls {@link TcpConnection#output}
 * (and checks that the connection asked for it with {@link TcpConnection.Owner#wantsOutput}
 * whenever something came out), and advancing the clock fires {@link TcpConnection#onTimer}
 * at each deadline. Times are milliseconds in the API ({@link #at}), nanoseconds inside.
 *
 * <pre>
 * var h = TcpHarness.established();
 * h.appWrite("abcdef");
 * h.expect(at(0), segment().seq(LOCAL + 1).ack(REMOTE + 1).payload("abcdef"));
 * h.expectNothing(at(199));
 * h.expect(at(200), segment().seq(LOCAL + 1).payload("abcdef"));
 * </pre>
 */
final class TcpHarness implements TcpConnection.Owner {
    static final int LOCAL_IP = Ipv4Address.parse("10.201.0.2");
    static final int REMOTE_IP = Ipv4Address.parse("10.201.0.1");
    static final int LOCAL_PORT = 7;
    static final int REMOTE_PORT = 40000;
    static final TcpTuple TUPLE = new TcpTuple(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT);
    /** Our ISS. */
    static final int LOCAL = 1_000_000;
    /** The peer's ISS. */
    static final int REMOTE = 5_000_000;
    /** Our timestamp offset: our TSval at time 0. */
    static final int TS_OFFSET = 70_000;
    /** The peer's TSval at time 0. */
    static final int PEER_TS_OFFSET = 900_000;
    /** The peer's window shift in the fixtures, like Linux's. */
    static final int PEER_WSCALE = 7;
    /** The peer's window field in the fixtures: 1000 &lt;&lt; 7 = 128000 bytes. */
    static final int PEER_WINDOW = 1000;
    /** The peer's MSS in the fixtures. */
    static final int PEER_MSS = 1460;
    static final long MS = 1_000_000L;
    /** Where the sink puts segments (after room for Ethernet and IP headers). */
    static final int SINK_OFFSET = 34;
    static final int SINK_MAX = 1480;

    /** The harness' default configuration: Linux defaults for MTU 1500, MSL 1 s (TIME-WAIT 2 s). */
    static TcpConfig defaultConfig() {
        return TcpConfig.defaults(1500).withMsl(1000 * MS);
    }

    // ------------------------------------------------------------------ state

    final TcpConfig config;
    final Counters counters;
    final TcpContext ctx;
    final TcpConnection c;
    long now;
    /** Whether the peer uses timestamps (builders then add them automatically). */
    boolean peerTimestamps = true;
    /** Whether the peer sends SACK blocks... tests add them explicitly. */
    boolean peerSack = true;
    /** Default window field of incoming segments. */
    int peerWindow = PEER_WINDOW;
    /** The application reads everything on onReadable. */
    boolean autoRead = true;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> events = new ArrayList<>();
    final List<Seg> emitted = new ArrayList<>();
    private int consumed;
    private boolean requested;
    private int lastTsValSent;
    private final ByteBuffer sinkBuffer = ByteBuffer.allocate(SINK_OFFSET + 65536);
    private final TcpHeader view = new TcpHeader();
    private final TcpOptions options = new TcpOptions();
    private final SegmentSink sink = new SegmentSink() {
        @Override
        public ByteBuffer segmentBuffer() {
            return sinkBuffer;
        }

        @Override
        public int segmentOffset() {
            return SINK_OFFSET;
        }

        @Override
        public int maxSegmentLength() {
            return SINK_MAX;
        }

        @Override
        public void send(long when, TcpTuple tuple, int length) {
            assertThat(tuple).isEqualTo(TUPLE);
            assertThat(length).isBetween(TcpHeader.MIN_LENGTH, SINK_MAX);
            view.wrap(sinkBuffer, SINK_OFFSET, length).writeChecksum(LOCAL_IP, REMOTE_IP);
            assertThat(view.validate(LOCAL_IP, REMOTE_IP)).isEqualTo(TcpHeader.Problem.NONE);
            Seg s = Seg.parse(when, view, options);
            if (s.hasTs()) {
                lastTsValSent = s.tsVal();
            }
            emitted.add(s);
            fillJunk();
        }
    };

    TcpHarness(TcpConfig config) {
        this(config, TcpContext.DEFAULT_CHALLENGE_ACK_LIMIT);
    }

    TcpHarness(TcpConfig config, int challengeAckLimit) {
        this(config, null, challengeAckLimit);
    }

    /** A harness on a shared context (its counters are then the context's), or a fresh one if null. */
    TcpHarness(TcpConfig config, TcpContext shared, int challengeAckLimit) {
        this.config = config;
        this.counters = shared == null ? new Counters() : shared.counters();
        this.ctx = shared == null ? new TcpContext(config, counters, challengeAckLimit, 42) : shared;
        this.c = new TcpConnection(ctx, TUPLE, this);
        c.handler(new Recorder());
        fillJunk();
    }

    private void fillJunk() {
        for (int i = 0; i < sinkBuffer.capacity(); i++) {
            sinkBuffer.put(i, (byte) 0xA5);
        }
    }

    // ------------------------------------------------------------------ fixtures

    /** A fixture builder: options, configuration, then the state. */
    static Fixture fixture() {
        return new Fixture();
    }

    static TcpHarness established() {
        return fixture().established();
    }

    static TcpHarness synSent() {
        return fixture().synSent();
    }

    static TcpHarness synReceived() {
        return fixture().synReceived();
    }

    static TcpHarness finWait1() {
        return fixture().finWait1();
    }

    static TcpHarness finWait2() {
        return fixture().finWait2();
    }

    static TcpHarness closing() {
        return fixture().closing();
    }

    static TcpHarness timeWait() {
        return fixture().timeWait();
    }

    static TcpHarness closeWait() {
        return fixture().closeWait();
    }

    static TcpHarness lastAck() {
        return fixture().lastAck();
    }

    /**
     * Builds connections in any state. The handshake runs from time −10 ms (SYN or SYN-ACK sent)
     * to 0 (its answer), so the RTT sample is 10 ms and the RTO the minimum (200 ms); every
     * fixture ends at time 0 with nothing left unexpected.
     */
    static final class Fixture {
        private TcpConfig config = defaultConfig();
        private boolean ws = true;
        private boolean ts = true;
        private boolean sack = true;
        private int peerMss = PEER_MSS;
        private boolean peerSendsMss = true;
        private int peerWscale = PEER_WSCALE;
        private int peerWindow = PEER_WINDOW;
        private int challengeAckLimit = TcpContext.DEFAULT_CHALLENGE_ACK_LIMIT;
        private boolean active;
        private TcpContext context;

        /** Which options the peer offers (our configuration offers all three unless changed with {@link #config}). */
        Fixture peerOptions(boolean windowScaling, boolean timestamps, boolean sackPermitted) {
            this.ws = windowScaling;
            this.ts = timestamps;
            this.sack = sackPermitted;
            return this;
        }

        /** Changes our configuration. */
        Fixture config(UnaryOperator<TcpConfig> change) {
            this.config = change.apply(config);
            return this;
        }

        Fixture peerMss(int mss) {
            this.peerMss = mss;
            return this;
        }

        Fixture noPeerMss() {
            this.peerSendsMss = false;
            return this;
        }

        Fixture peerWscale(int shift) {
            this.peerWscale = shift;
            return this;
        }

        /** The window field the peer uses in its segments (scaled by its shift after the SYN). */
        Fixture peerWindow(int field) {
            this.peerWindow = field;
            return this;
        }

        Fixture challengeAckLimit(int limit) {
            this.challengeAckLimit = limit;
            return this;
        }

        /** Use this (shared) context. */
        Fixture context(TcpContext shared) {
            this.context = shared;
            return this;
        }

        /** Open actively (we send the SYN) instead of passively. */
        Fixture active() {
            this.active = true;
            return this;
        }

        private TcpHarness harness() {
            TcpHarness h = new TcpHarness(config, context, challengeAckLimit);
            h.peerTimestamps = ts && config.timestamps();
            h.peerSack = sack && config.sack();
            h.peerWindow = peerWindow;
            h.now = -10 * MS;
            return h;
        }

        SegBuilder peerSyn() {
            // A SYN's window is never scaled: the same bytes as the later field, at most 65535.
            long bytes = ws ? (long) peerWindow << peerWscale : peerWindow;
            SegBuilder syn = seg().flags(SYN).seq(REMOTE).ack(0).window((int) Math.min(65535, bytes));
            if (peerSendsMss) {
                syn.mss(peerMss);
            }
            if (sack) {
                syn.sackPermitted();
            }
            if (ws) {
                syn.wscale(peerWscale);
            }
            if (ts) {
                syn.ts(PEER_TS_OFFSET - 10, 0);
            } else {
                syn.noTs();
            }
            return syn;
        }

        /** SYN-SENT: our SYN is out (at −10 ms). */
        TcpHarness synSent() {
            TcpHarness h = harness();
            h.c.openActive(h.now, LOCAL, TS_OFFSET);
            h.flush();
            h.drain();
            return h;
        }

        /** SYN-RECEIVED (passive): the peer's SYN arrived and our SYN-ACK is out (at −10 ms). */
        TcpHarness synReceived() {
            TcpHarness h = harness();
            TcpSegment syn = h.build(peerSyn());
            h.c.openPassive(h.now, LOCAL, TS_OFFSET, syn);
            h.flush();
            h.drain();
            return h;
        }

        /** ESTABLISHED at time 0, passively (or actively after {@link #active()}). */
        TcpHarness established() {
            TcpHarness h;
            if (active) {
                h = synSent();
                h.now = 0;
                SegBuilder synAck = peerSyn().flags(SYN | ACK).ack(LOCAL + 1);
                if (h.peerTimestamps) {
                    synAck.ts(PEER_TS_OFFSET, h.lastTsValSent);
                }
                h.receive(synAck);
            } else {
                h = synReceived();
                h.now = 0;
                h.receive(seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1));
            }
            assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
            h.drain();
            h.events.clear();
            return h;
        }

        /** FIN-WAIT-1: established, the application closed, our FIN is out (at 0). */
        TcpHarness finWait1() {
            TcpHarness h = established();
            h.appClose();
            h.drain();
            assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_1);
            return h;
        }

        /** FIN-WAIT-2: the peer acknowledged our FIN (at 0). */
        TcpHarness finWait2() {
            TcpHarness h = finWait1();
            h.receive(seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 2));
            h.drain();
            assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
            return h;
        }

        /** CLOSING: our FIN is out, the peer's FIN arrived without acknowledging ours (at 0). */
        TcpHarness closing() {
            TcpHarness h = finWait1();
            h.receive(seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 1));
            h.drain();
            assertThat(h.c.state()).isEqualTo(TcpState.CLOSING);
            return h;
        }

        /** TIME-WAIT: from FIN-WAIT-2 the peer's FIN arrived and we acknowledged it (at 0). */
        TcpHarness timeWait() {
            TcpHarness h = finWait2();
            h.receive(seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 2));
            h.drain();
            assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
            return h;
        }

        /** CLOSE-WAIT: the peer's FIN arrived and we acknowledged it (at 0). */
        TcpHarness closeWait() {
            TcpHarness h = established();
            h.receive(seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 1));
            h.drain();
            h.events.clear();
            assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
            return h;
        }

        /** LAST-ACK: from CLOSE-WAIT the application closed and our FIN is out (at 0). */
        TcpHarness lastAck() {
            TcpHarness h = closeWait();
            h.appClose();
            h.drain();
            assertThat(h.c.state()).isEqualTo(TcpState.LAST_ACK);
            return h;
        }
    }

    // ------------------------------------------------------------------ time

    /** Milliseconds to the harness' nanoseconds. */
    static long at(long ms) {
        return ms * MS;
    }

    /** Microseconds to nanoseconds, for sub-millisecond times. */
    static long atMicros(long us) {
        return us * 1000L;
    }

    /** The current time in nanoseconds. */
    long now() {
        return now;
    }

    /**
     * Moves the clock to {@code t}, firing {@link TcpConnection#onTimer} at each deadline on the
     * way (and output after each), as the layer's timer wheel would.
     */
    void advanceTo(long t) {
        assertThat(t).as("time only moves forward").isGreaterThanOrEqualTo(now);
        for (int guard = 0; ; guard++) {
            if (guard > 100_000) {
                fail("timers keep firing at " + now);
            }
            long d = c.nextDeadline();
            if (d == TcpConnection.NO_DEADLINE || d > t) {
                break;
            }
            now = Math.max(now, d);
            c.onTimer(now);
            flush();
        }
        now = t;
    }

    /** Calls output as the layer does at the end of a batch; checks wantsOutput was called if anything came out. */
    void flush() {
        boolean wasRequested = requested;
        requested = false;
        int before = emitted.size();
        c.output(now, sink);
        if (emitted.size() > before && !wasRequested) {
            fail("output() emitted " + emitted.subList(before, emitted.size()) + " without wantsOutput()");
        }
    }

    // ------------------------------------------------------------------ incoming segments

    /** A builder for an incoming segment (defaults: ACK, seq REMOTE + 1, ack LOCAL + 1, no payload). */
    static SegBuilder seg() {
        return new SegBuilder();
    }

    /** Delivers a segment at the current time, then output. */
    void receive(SegBuilder b) {
        c.onSegment(now, build(b));
        flush();
    }

    /** Advances to {@code t}, then delivers the segment. */
    void receive(long t, SegBuilder b) {
        advanceTo(t);
        receive(b);
    }

    /** Turns a builder into a parsed {@link TcpSegment} as the layer would hand it over. */
    TcpSegment build(SegBuilder b) {
        if (b.window < 0) {
            b.window = peerWindow;
        }
        if (b.autoTs && peerTimestamps && (b.flags & TcpHeader.RST) == 0) {
            b.ts((int) Math.floorDiv(now, MS) + PEER_TS_OFFSET, (b.flags & ACK) != 0 ? lastTsValSent : 0);
        }
        ByteBuffer buf = b.toBuffer();
        TcpHeader h = new TcpHeader().wrap(buf, 0, buf.limit());
        assertThat(h.validate(REMOTE_IP, LOCAL_IP)).isIn(TcpHeader.Problem.NONE, TcpHeader.Problem.BAD_CHECKSUM);
        return new TcpSegment().from(h);
    }

    /** The TSval the peer would send now. */
    int peerTsNow() {
        return (int) Math.floorDiv(now, MS) + PEER_TS_OFFSET;
    }

    /** The last TSval the connection sent. */
    int lastTsValSent() {
        return lastTsValSent;
    }

    // ------------------------------------------------------------------ the application

    void appWrite(String text) {
        appWrite(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void appWrite(byte[] data) {
        int n = c.write(data, 0, data.length);
        assertThat(n).as("bytes accepted").isEqualTo(data.length);
        flush();
    }

    /** Writes {@code n} bytes of a repeating pattern (byte i = i mod 251). */
    void appWrite(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i % 251);
        }
        appWrite(data);
    }

    /** Reads everything readable into {@link #received}. */
    void appRead() {
        byte[] buf = new byte[4096];
        int n;
        while ((n = c.read(buf, 0, buf.length)) > 0) {
            received.write(buf, 0, n);
        }
        flush();
    }

    void appClose() {
        c.close();
        flush();
    }

    void appShutdown() {
        c.shutdownOutput();
        flush();
    }

    void appAbort() {
        c.abort();
        flush();
    }

    /** What the application has read so far, as text. */
    String receivedText() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ expectations

    /** Advances to {@code t}; the next emitted segment must have been sent exactly at {@code t} and match. */
    Seg expect(long t, SegSpec spec) {
        advanceTo(t);
        if (consumed >= emitted.size()) {
            fail("expected at " + t / (double) MS + " ms: " + spec + "\nbut nothing was sent");
        }
        Seg s = emitted.get(consumed++);
        List<String> problems = spec.mismatches(s);
        if (s.at() != t) {
            problems.add("sent at " + s.at() / (double) MS + " ms, not " + t / (double) MS + " ms");
        }
        if (!problems.isEmpty()) {
            fail("expected " + spec + "\nbut got  " + s + "\n" + String.join("\n", problems) + "\nall: "
                    + emitted.subList(consumed - 1, emitted.size()));
        }
        return s;
    }

    /** Advances to {@code t}; nothing may have been sent that was not expected. */
    void expectNothing(long t) {
        advanceTo(t);
        expectNothing();
    }

    /** Nothing may have been sent that was not expected. */
    void expectNothing() {
        if (consumed < emitted.size()) {
            fail("expected nothing at " + now / (double) MS + " ms but got " + emitted.subList(consumed, emitted.size()));
        }
    }

    /** Consumes and returns everything sent so far. */
    List<Seg> drain() {
        List<Seg> out = new ArrayList<>(emitted.subList(consumed, emitted.size()));
        consumed = emitted.size();
        return out;
    }

    long counter(Counter counter) {
        return counters.get(counter);
    }

    @Override
    public void established(TcpConnection conn) {
        events.add("established");
    }

    @Override
    public void wantsOutput(TcpConnection conn) {
        requested = true;
    }

    @Override
    public void closed(TcpConnection conn) {
        events.add("closed");
    }

    /** The application: records callbacks, reads everything when {@link #autoRead}. */
    private final class Recorder implements TcpHandler {
        @Override
        public void onConnected(TcpConnection conn) {
            events.add("onConnected");
        }

        @Override
        public void onReadable(TcpConnection conn) {
            events.add("onReadable");
            if (autoRead) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = conn.read(buf, 0, buf.length)) > 0) {
                    received.write(buf, 0, n);
                }
            }
        }

        @Override
        public void onWritable(TcpConnection conn) {
            events.add("onWritable");
        }

        @Override
        public void onPeerClosed(TcpConnection conn) {
            events.add("onPeerClosed");
        }

        @Override
        public void onClosed(TcpConnection conn, CloseReason reason) {
            events.add("onClosed(" + reason + ")");
        }
    }
}
