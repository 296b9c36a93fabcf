package io.understudy.benchmarks;

import io.understudy.httpd.HttpServer;
import io.understudy.httpd.ServerConfig;
import io.understudy.stack.Counter;
import io.understudy.stack.NetStack;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.TcpHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One keep-alive request/response on the HTTP server, through the whole stack: an established
 * connection to an {@link HttpServer} (on a {@link NetStack}, as in production) receives one
 * data segment holding a whole GET (Host, User-Agent, Accept), the server decodes it and queues
 * the response, the batch end emits it (one segment: head and 1 KiB body), and then the client's
 * ACK for it comes in. One op = request segment in + response out + ACK in.
 *
 * <p>{@code request}: {@code file} — {@code GET /index.html}, a 1 KiB file of a temporary
 * document root (resolved, stat'ed and sent as a file region, read by the send queue when the
 * segment is built); {@code bytes} — {@code GET /bytes/1024}, generated.
 *
 * <p>Like {@link TcpInputBench}, the client is only used in {@code @Setup} (to open the
 * connection and make the template frames: its request segment and a pure ACK); the op rewrites
 * sequence, acknowledgment and timestamps of those preallocated frames, so the connection stays
 * in its steady state. Each op checks that the server sent exactly one response of the expected
 * length; {@code @TearDown} fails the run if one was not, or if the stack dropped or retransmitted
 * anything. The access log is off (no SLF4J binding on the class path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpServerBench {
    static final int FILE_SIZE = 1024;
    /** Fake time from the request to the ACK of its response, and from that ACK to the next request. */
    static final long HALF_RTT = 50_000L;
    static final long ARP_REFRESH = 20_000_000_000L;

    @Param({"file", "bytes"})
    public String request;

    private Path docroot;
    private NetStack server;
    private BenchLink link;
    private TcpConnection conn;
    private ByteBuffer req, ack;
    private int reqLength, ackLength, reqPayload;
    private int reqSeqAt, reqAckAt, reqTsAt, ackSeqAt, ackAckAt, ackTsAt;
    private Frames.Resum reqResum, ackResum;
    private int tsBase;
    private int nextSeq;
    /** Bytes of one response (head and body), as the client got it in setup. */
    private int responseLength;
    private long t0, now, nextArpRefresh;
    private ByteBuffer arpReply, arpRequest;
    private long requests, wrongResponses;
    private String firstResponseHead;

    static String requestText(String kind) {
        String target = kind.equals("file") ? "/index.html" : "/bytes/" + FILE_SIZE;
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: 10.77.0.2:5001\r\n"
                + "User-Agent: curl/8.5.0\r\n"
                + "Accept: */*\r\n"
                + "\r\n";
    }

    /** The client: collects what it receives while {@code keep} is on (setup), discards it after. */
    static final class Client implements TcpHandler {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private final byte[] scratch = new byte[64 * 1024];

        @Override
        public void onReadable(TcpConnection c) {
            int n;
            while ((n = c.read(scratch, 0, scratch.length)) > 0) {
                got.write(scratch, 0, n);
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        docroot = Files.createTempDirectory("understudy-bench");
        byte[] page = new byte[FILE_SIZE];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) ('a' + i % 26);
        }
        Files.write(docroot.resolve("index.html"), page);

        TcpLab lab = new TcpLab(TcpConfig.defaults(1500), false);
        HttpServer.install(lab.server.tcp(), TcpLab.PORT, ServerConfig.defaults(docroot));
        Client client = new Client();
        lab.connectClient(client);
        conn = lab.serverConn;
        server = lab.server;
        link = lab.serverLink;

        // One request through the lab: its segment and the client's ACK of the response are the templates.
        byte[] text = requestText(request).getBytes(StandardCharsets.US_ASCII);
        reqPayload = text.length;
        lab.clientConn.noDelay(true);
        if (lab.clientConn.write(text, 0, text.length) != text.length) {
            throw new IllegalStateException("client did not take the request");
        }
        lab.client.onBatchEnd(lab.now);
        byte[] reqTemplate = null;
        byte[] ackTemplate = null;
        for (int i = 0; i < 1_000 && (reqTemplate == null || ackTemplate == null || client.got.size() == 0); i++) {
            for (byte[] f : lab.clientLink.captured) {
                ByteBuffer b = ByteBuffer.wrap(f);
                int payload = Frames.tcpPayloadLength(b, 0);
                if (payload == text.length) {
                    reqTemplate = f;
                } else if (payload == 0 && b.get(Frames.tcpOffset(b, 0) + 13) == TcpHeader.ACK && reqTemplate != null
                        && client.got.size() > 0) {
                    ackTemplate = f;
                }
            }
            lab.step();
        }
        if (reqTemplate == null || ackTemplate == null) {
            throw new IllegalStateException("no request segment or no ACK of the response from the client; got "
                    + client.got.size() + " bytes");
        }
        lab.steps(5);
        String response = client.got.toString(StandardCharsets.ISO_8859_1);
        int headEnd = response.indexOf("\r\n\r\n");
        if (!response.startsWith("HTTP/1.1 200 ") || headEnd < 0 || response.length() != headEnd + 4 + FILE_SIZE) {
            throw new IllegalStateException("unexpected response: " + response);
        }
        firstResponseHead = response.substring(0, headEnd);
        responseLength = response.length();

        link.capture = false;
        now = lab.now;
        t0 = now;
        nextArpRefresh = now + ARP_REFRESH;
        nextSeq = conn.rcvNxt();

        req = TcpLab.direct(reqTemplate);
        reqLength = req.capacity();
        int tcpAt = Frames.tcpOffset(req, 0);
        reqSeqAt = tcpAt + 4;
        reqAckAt = tcpAt + 8;
        reqTsAt = Frames.tsValOffset(req, tcpAt);
        ack = TcpLab.direct(ackTemplate);
        ackLength = ack.capacity();
        tcpAt = Frames.tcpOffset(ack, 0);
        ackSeqAt = tcpAt + 4;
        ackAckAt = tcpAt + 8;
        ackTsAt = Frames.tsValOffset(ack, tcpAt);
        if (reqTsAt < 0 || ackTsAt < 0) {
            throw new IllegalStateException("the templates have no timestamps option");
        }
        tsBase = ack.getInt(ackTsAt);
        reqResum = new Frames.Resum(req, 0, reqSeqAt, reqAckAt, reqTsAt, reqTsAt + 4);
        ackResum = new Frames.Resum(ack, 0, ackSeqAt, ackAckAt, ackTsAt, ackTsAt + 4);
        arpReply = TcpLab.direct(Frames.arp(ArpPacket.REPLY, TcpLab.CLIENT_MAC, TcpLab.CLIENT_IP, TcpLab.SERVER_MAC, TcpLab.SERVER_IP));
        arpRequest = TcpLab.direct(Frames.arp(ArpPacket.REQUEST, TcpLab.CLIENT_MAC, TcpLab.CLIENT_IP, TcpLab.SERVER_MAC, TcpLab.SERVER_IP));
        for (int i = 0; i < 20_000; i++) {
            exchange();
        }
        check("after warm-up");
        // Load the formatting classes now: the trial's tear-down runs inside the last measured
        // iteration, and class loading there would show in -prof gc as bytes per op.
        summary();
    }

    /** One request in, its response out, the ACK of the response in. */
    @Benchmark
    public int exchange() {
        long t = now += HALF_RTT;
        int before = conn.sndNxt();
        int seq = nextSeq;
        int tsVal = tsBase + (int) ((t - t0) / 1_000_000L);
        int tsEcr = link.lastTsVal;
        req.putInt(reqSeqAt, seq);
        req.putInt(reqAckAt, before);
        req.putInt(reqTsAt, tsVal);
        req.putInt(reqTsAt + 4, tsEcr);
        reqResum.write(seq, before, tsVal, tsEcr);
        req.limit(reqLength).position(0);
        server.onFrame(t, req);
        server.onBatchEnd(t);
        nextSeq = seq + reqPayload;
        int sndNxt = conn.sndNxt();
        if (sndNxt - before != responseLength) {
            wrongResponses++;
        }
        requests++;

        t = now += HALF_RTT;
        tsVal = tsBase + (int) ((t - t0) / 1_000_000L);
        tsEcr = link.lastTsVal;
        ack.putInt(ackSeqAt, nextSeq);
        ack.putInt(ackAckAt, sndNxt);
        ack.putInt(ackTsAt, tsVal);
        ack.putInt(ackTsAt + 4, tsEcr);
        ackResum.write(nextSeq, sndNxt, tsVal, tsEcr);
        ack.limit(ackLength).position(0);
        server.onFrame(t, ack);
        server.onBatchEnd(t);
        peerArp();
        return sndNxt;
    }

    private void peerArp() {
        if (link.arpRequested) {
            link.arpRequested = false;
            deliver(arpReply);
        }
        if (now - nextArpRefresh >= 0) {
            nextArpRefresh = now + ARP_REFRESH;
            deliver(arpRequest);
        }
    }

    private void deliver(ByteBuffer f) {
        f.clear();
        server.onFrame(now, f);
        server.onBatchEnd(now);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        check("at the end");
        System.out.println(summary());
        try (Stream<Path> files = Files.walk(docroot)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private String summary() {
        return String.format("%n[HttpServerBench %s] %d requests (%.1f s fake time), %d-byte responses, %d wrong; "
                + "first response head:%n%s", request, requests, (now - t0) / 1e9, responseLength, wrongResponses,
                firstResponseHead);
    }

    private void check(String when) {
        if (conn.state() != TcpState.ESTABLISHED || wrongResponses != 0) {
            throw new IllegalStateException(when + ": " + conn + ", " + wrongResponses + " of " + requests
                    + " responses not " + responseLength + " bytes; counters " + server.counters().summary());
        }
        long dropped = 0;
        for (Counter c : Counter.values()) {
            if (c.name().startsWith("DROP_")) {
                dropped += server.counters().get(c);
            }
        }
        if (dropped != 0 || server.counters().get(Counter.TCP_RETRANSMITS) != 0) {
            throw new IllegalStateException(when + ": drops or retransmissions: " + server.counters().summary());
        }
    }
}
