package io.understudy.stack.tcp;

import static io.understudy.stack.Frames.L3;
import static io.understudy.stack.Frames.fixTcpChecksum;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.Frames.segment;
import static io.understudy.stack.Frames.synOptions;
import static io.understudy.stack.Frames.tcp;
import static io.understudy.stack.Frames.text;
import static io.understudy.stack.Frames.timestampOptions;
import static io.understudy.stack.StackHarness.BROADCAST_IP;
import static io.understudy.stack.StackHarness.CONFIG;
import static io.understudy.stack.StackHarness.MS;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.OUR_MAC;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.SECOND;
import static io.understudy.stack.StackHarness.ourArpRequest;
import static io.understudy.stack.StackHarness.toUs;
import static io.understudy.stack.wire.Ipv4Header.PROTO_TCP;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.FIN;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static io.understudy.stack.wire.TcpHeader.RST;
import static io.understudy.stack.wire.TcpHeader.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.Counter;
import io.understudy.stack.Frames;
import io.understudy.stack.Frames.SentTcp;
import io.understudy.stack.StackHarness;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import io.understudy.stack.wire.Seq;
import io.understudy.stack.wire.TcpHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TcpLayer} through a whole {@link io.understudy.stack.NetStack}, frame in, frame out:
 * RSTs for closed ports, listeners, SYN cookies, the connection cap, TIME-WAIT reuse, segment
 * validation, active opens, the timer wheel and the files closed when the stack stops. The secret is fixed, so every ISN, timestamp
 * and cookie the stack chooses is computed here with {@link IsnGenerator} and
 * {@link SynCookies} and every emitted segment is compared whole.
 */
class TcpLayerTest {
    private static final TcpSecret SECRET = new TcpSecret(0x0706050403020100L, 0x0F0E0D0C0B0A0908L);
    /** Linux-like defaults: MSS 1460, 1 MiB buffers, window scaling, timestamps and SACK on. */
    private static final TcpConfig TCP = TcpConfig.defaults(CONFIG.mtu());
    private static final int MAX_CONNECTIONS = 64;
    /** Our listening port. */
    private static final int PORT = 80;
    /** The peer's port for its connections. */
    private static final int CLIENT_PORT = 40_000;
    /** The peer's ISS: 256 below the wrap, so the numbers wrap during the tests. */
    private static final int PEER_ISS = 0xFFFF_FF00;
    /** The window the peer's SYN and SYN-ACK carry (never scaled). */
    private static final int PEER_SYN_WINDOW = 64_240;
    /** The peer's window field after the handshake: 502 << 7 = 64256 bytes. */
    private static final int PEER_WINDOW = 502;
    private static final int PEER_MSS = 1400;
    private static final int PEER_WSCALE = 7;
    /** The peer's TSval in its SYN; it adds one per segment. */
    private static final int PEER_TS = 1_000;
    /** Our window shift: the smallest that fits the 1 MiB receive buffer in 16 bits (2^20 >> 5 = 32768). */
    private static final int OUR_WSCALE = 5;
    /** The window field of our SYNs and SYN-ACKs: the buffer, capped at 65535 (never scaled, RFC 7323 §2.2). */
    private static final int SYN_WINDOW = 65_535;
    /** Our window field once established with an empty receive queue: 2^20 >> 5. */
    private static final int OPEN_WINDOW = 32_768;

    private final IsnGenerator isns = new IsnGenerator(SECRET);
    private final SynCookies cookies = new SynCookies(SECRET);
    private final List<TcpConnection> accepted = new ArrayList<>();
    private final Recorder server = new Recorder(true);
    private StackHarness h = new StackHarness(CONFIG, TCP, SECRET, MAX_CONNECTIONS);
    private int ipId;

    // ------------------------------------------------------------------ 1. closed ports

    @Test
    void synToPortWithoutListenerIsAnsweredWithRstAckFromSeqZeroAcknowledgingTheSyn() {
        h.knows(PEER_MAC, PEER_IP);

        fromPeer(CLIENT_PORT, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");

        // RFC 9293 §3.10.7.1: no ACK, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; sent at once, not at batch end.
        expectSegments(toPeer(PORT, CLIENT_PORT, RST | ACK, 0, PEER_ISS + 1, 0));
        assertThat(h.count(Counter.TCP_NO_LISTENER)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_RESETS_SENT)).isEqualTo(1);
        assertThat(h.stack().tcp().connectionCount()).isZero();
        h.tick();
        h.expectNothing();
    }

    @Test
    void segmentWithoutAckToClosedPortIsAcknowledgedPastItsDataAndFin() {
        h.knows(PEER_MAC, PEER_IP);

        fromPeer(CLIENT_PORT, PORT, FIN | PSH, 5_000, 0, PEER_WINDOW, new byte[0], "abc");

        expectSegments(toPeer(PORT, CLIENT_PORT, RST | ACK, 0, 5_000 + 3 + 1, 0));
        assertThat(h.count(Counter.TCP_NO_LISTENER)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_RESETS_SENT)).isEqualTo(1);
    }

    @Test
    void ackToClosedPortIsAnsweredWithRstAtItsAcknowledgmentNumber() {
        h.knows(PEER_MAC, PEER_IP);

        fromPeer(CLIENT_PORT, PORT, ACK | PSH, 5_000, 0x8000_0001, PEER_WINDOW, timestampOptions(PEER_TS, 77), "data");

        // RFC 9293 §3.10.7.1: with an ACK, <SEQ=SEG.ACK><CTL=RST>.
        expectSegments(toPeer(PORT, CLIENT_PORT, RST, 0x8000_0001, 0, 0));
        assertThat(h.count(Counter.TCP_NO_LISTENER)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_RESETS_SENT)).isEqualTo(1);
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {RST, RST | ACK})
    void rstToClosedPortIsNeverAnswered(int flags) {
        h.knows(PEER_MAC, PEER_IP);

        fromPeer(CLIENT_PORT, PORT, flags, 5_000, 9_000, 0, new byte[0], "");
        h.tick();

        h.expectNothing();
        assertThat(h.count(Counter.TCP_RESETS_SENT)).isZero();
        assertThat(h.count(Counter.TCP_SEGMENTS_RECEIVED)).isEqualTo(1);
    }

    @Test
    void ackToListeningPortThatSentNoCookieIsAnsweredWithRst() {
        h.knows(PEER_MAC, PEER_IP);
        listen(16);

        fromPeer(CLIENT_PORT, PORT, ACK, PEER_ISS + 1, 12_345, PEER_WINDOW, timestampOptions(PEER_TS, 1), "");

        expectSegments(toPeer(PORT, CLIENT_PORT, RST, 12_345, 0, 0));
        assertThat(h.count(Counter.TCP_NO_LISTENER)).isZero();
        assertThat(h.count(Counter.TCP_SYN_COOKIES_FAILED)).isZero();
        assertThat(h.stack().tcp().connectionCount()).isZero();
    }

    // ------------------------------------------------------------------ 2. passive open

    @Test
    void synToListenerIsAnsweredAtBatchEndWithSynAckConfirmingTheOfferedOptions() {
        h.knows(PEER_MAC, PEER_IP);
        listen(16);

        fromPeer(CLIENT_PORT, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.expectNothing(); // connections write at the end of the batch
        h.tick();

        int iss = iss(PORT, CLIENT_PORT);
        expectSegments(toPeer(PORT, CLIENT_PORT, SYN | ACK, iss, PEER_ISS + 1, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ourTs(PORT, CLIENT_PORT), PEER_TS));
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
        assertThat(h.stack().tcp().connectionInfo()).extracting(TcpInfo::state).containsExactly(TcpState.SYN_RECEIVED);
        assertThat(accepted).isEmpty();
    }

    @Test
    void finalAckRunsTheAcceptHandlerOnceAndTheConnectionEchoesData() {
        h.knows(PEER_MAC, PEER_IP);
        TcpListener listener = listen(16);
        int iss = passiveHandshake(CLIENT_PORT);

        assertThat(accepted).hasSize(1);
        assertThat(listener.accepted()).isEqualTo(1);
        assertThat(server.events).containsExactly("connected");
        TcpConnection c = accepted.get(0);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.tuple()).isEqualTo(new TcpTuple(OUR_IP, PORT, PEER_IP, CLIENT_PORT));
        TcpInfo info = c.info();
        assertThat(List.of(info.sack(), info.timestamps(), info.sndWscale(), info.rcvWscale(), info.sndMss(), info.sndWnd()))
                .containsExactly(true, true, PEER_WSCALE, OUR_WSCALE, PEER_MSS - 12, PEER_WINDOW << PEER_WSCALE);
        h.tick();
        h.expectNothing();

        h.at(3 * MS);
        fromPeer(CLIENT_PORT, PORT, ACK | PSH, PEER_ISS + 1, iss + 1, PEER_WINDOW, timestampOptions(PEER_TS + 2, ourTs(PORT, CLIENT_PORT)), "hello");
        h.tick();

        expectSegments(toPeer(PORT, CLIENT_PORT, ACK | PSH, iss + 1, PEER_ISS + 1 + 5, OPEN_WINDOW)
                .withTimestamps(ourTs(PORT, CLIENT_PORT), PEER_TS + 2).withPayload("hello"));
        assertThat(server.events).containsExactly("connected", "readable hello");
        assertThat(accepted).hasSize(1);
        assertThat(h.count(Counter.TCP_PASSIVE_OPENS)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_ESTABLISHED)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 3. SYN cookies

    @Test
    void synBeyondTheBacklogIsAnsweredWithCookieSynAckAndNoConnection() {
        h.knows(PEER_MAC, PEER_IP);
        listen(1);
        fillBacklogFrom(CLIENT_PORT);
        int cookieClient = CLIENT_PORT + 1;
        int clientIss = 0x1234_5678;

        fromPeer(cookieClient, PORT, SYN, clientIss, 0, PEER_SYN_WINDOW, peerSynOptions(5_000), "");

        int cookie = cookies.cookieIsn(h.now(), OUR_IP, PORT, PEER_IP, cookieClient, clientIss, PEER_MSS);
        int tsVal = SynCookies.encodeTimestamp(ourTs(PORT, cookieClient), PEER_WSCALE, true);
        // The answer goes at once: a cookie SYN-ACK has no connection to write it at batch end.
        expectSegments(toPeer(PORT, cookieClient, SYN | ACK, cookie, clientIss + 1, SYN_WINDOW)
                .withSynOptions(1300, true, OUR_WSCALE, true, tsVal, 5_000));
        // Linux's layout of the low TSval bits: the peer's shift, then SACK-permitted.
        assertThat(tsVal & 0x1F).isEqualTo(PEER_WSCALE | SynCookies.TS_SACK_PERMITTED);
        assertThat(h.count(Counter.TCP_SYN_COOKIES_SENT)).isEqualTo(1);
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
        h.tick();
        h.expectNothing();
    }

    @Test
    void ackReturningTheCookieCreatesEstablishedConnectionWithTheSynsOptionsThatTakesData() {
        h.knows(PEER_MAC, PEER_IP);
        listen(1);
        fillBacklogFrom(CLIENT_PORT);
        int client = CLIENT_PORT + 1;
        int clientIss = 0x1234_5678;
        fromPeer(client, PORT, SYN, clientIss, 0, PEER_SYN_WINDOW, peerSynOptions(5_000), "");
        SentTcp synAck = Frames.sentTcp(h.sentOne());
        int cookie = synAck.seq();

        h.at(2 * MS);
        fromPeer(client, PORT, ACK, clientIss + 1, cookie + 1, PEER_WINDOW, timestampOptions(5_001, synAck.tsVal()), "");

        assertThat(h.count(Counter.TCP_SYN_COOKIES_VALIDATED)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_SYN_COOKIES_FAILED)).isZero();
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(2);
        assertThat(accepted).hasSize(1);
        TcpConnection c = accepted.get(0);
        assertThat(server.events).containsExactly("connected");
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(List.of(c.iss(), c.irs())).containsExactly(cookie, clientIss);
        TcpInfo info = c.info();
        // What the SYN offered came back through the TSecr; the MSS through the cookie (1400 -> 1300).
        // The peer's window field is read with the peer's shift: 502 << 7 bytes.
        assertThat(List.of(info.sack(), info.timestamps(), info.sndWscale(), info.rcvWscale(), info.sndMss(), info.sndWnd()))
                .containsExactly(true, true, PEER_WSCALE, OUR_WSCALE, 1300 - 12, PEER_WINDOW << PEER_WSCALE);
        h.tick();
        h.expectNothing();

        h.at(3 * MS);
        fromPeer(client, PORT, ACK | PSH, clientIss + 1, cookie + 1, PEER_WINDOW, timestampOptions(5_002, ourTs(PORT, client)), "hello");
        h.tick();

        expectSegments(toPeer(PORT, client, ACK | PSH, cookie + 1, clientIss + 1 + 5, OPEN_WINDOW)
                .withTimestamps(ourTs(PORT, client), 5_002).withPayload("hello"));
        assertThat(server.events).containsExactly("connected", "readable hello");
        assertThat(h.count(Counter.TCP_COOKIE_OPENS)).isEqualTo(1);
    }

    @Test
    void cookieWithoutTimestampsLosesSackAndWindowScale() {
        h.knows(PEER_MAC, PEER_IP);
        listen(1);
        fillBacklogFrom(CLIENT_PORT);
        int client = CLIENT_PORT + 1;
        int clientIss = 777;

        fromPeer(client, PORT, SYN, clientIss, 0, PEER_SYN_WINDOW,
                synOptions(1460, true, PEER_WSCALE, false, 0, 0), "");

        int cookie = cookies.cookieIsn(h.now(), OUR_IP, PORT, PEER_IP, client, clientIss, 1460);
        // RFC 4987 §3.6: without timestamps the cookie has nowhere to keep SACK and window scale.
        expectSegments(toPeer(PORT, client, SYN | ACK, cookie, clientIss + 1, SYN_WINDOW)
                .withSynOptions(1460, false, -1, false, 0, 0));

        fromPeer(client, PORT, ACK | PSH, clientIss + 1, cookie + 1, PEER_SYN_WINDOW, new byte[0], "hi");
        h.tick();

        TcpConnection c = accepted.get(0);
        TcpInfo info = c.info();
        assertThat(List.of(info.sack(), info.timestamps(), info.sndWscale(), info.rcvWscale(), info.sndMss()))
                .containsExactly(false, false, 0, 0, 1460);
        // Data in the cookie ACK is taken; unscaled, the window field is capped at 65535.
        expectSegments(toPeer(PORT, client, ACK | PSH, cookie + 1, clientIss + 1 + 2, 65_535).withPayload("hi"));
        assertThat(server.events).containsExactly("connected", "readable hi");
    }

    @ParameterizedTest(name = "peer shift {0}")
    @ValueSource(ints = {0, 2, 5, 7, 14, 15})
    void cookieCarriesThePeersWindowShiftWhileTheSynAckAnnouncesOurs(int peerShift) {
        h.knows(PEER_MAC, PEER_IP);
        listen(1);
        fillBacklogFrom(CLIENT_PORT);
        int client = CLIENT_PORT + 1;
        int clientIss = 4_242;
        int usedShift = Math.min(peerShift, 14); // RFC 7323 §2.3: larger shifts are taken as 14

        fromPeer(client, PORT, SYN, clientIss, 0, PEER_SYN_WINDOW, synOptions(1460, false, peerShift, true, 5_000, 0), "");

        int cookie = cookies.cookieIsn(h.now(), OUR_IP, PORT, PEER_IP, client, clientIss, 1460);
        int tsVal = SynCookies.encodeTimestamp(ourTs(PORT, client), usedShift, false);
        expectSegments(toPeer(PORT, client, SYN | ACK, cookie, clientIss + 1, SYN_WINDOW)
                .withSynOptions(1460, false, OUR_WSCALE, true, tsVal, 5_000));

        fromPeer(client, PORT, ACK, clientIss + 1, cookie + 1, 100, timestampOptions(5_001, tsVal), "");

        TcpInfo info = accepted.get(0).info();
        assertThat(List.of(info.sndWscale(), info.rcvWscale(), info.sndWnd()))
                .containsExactly(usedShift, OUR_WSCALE, 100 << usedShift);
    }

    static Stream<Arguments> cookieMss() {
        return Stream.of(
                Arguments.of(-1, 536), // no MSS option: RFC 9293 §3.7.1's 536
                Arguments.of(88, 536),
                Arguments.of(1299, 536),
                Arguments.of(1300, 1300),
                Arguments.of(1439, 1300),
                Arguments.of(1440, 1440),
                Arguments.of(1459, 1440),
                Arguments.of(1460, 1460),
                Arguments.of(8960, 1460)); // above our MSS: ours
    }

    @ParameterizedTest(name = "peer MSS {0} -> {1}")
    @MethodSource("cookieMss")
    void cookieRoundsThePeersMssDownToTheCookieTable(int peerMss, int cookieMss) {
        h.knows(PEER_MAC, PEER_IP);
        listen(1);
        fillBacklogFrom(CLIENT_PORT);
        int client = CLIENT_PORT + 1;
        int clientIss = 42;
        boolean all = peerMss >= 0;
        byte[] options = all ? synOptions(peerMss, true, PEER_WSCALE, true, 5_000, 0) : timestampOptions(5_000, 0);

        fromPeer(client, PORT, SYN, clientIss, 0, PEER_SYN_WINDOW, options, "");

        int cookie = cookies.cookieIsn(h.now(), OUR_IP, PORT, PEER_IP, client, clientIss,
                Math.min(all ? peerMss : 536, TCP.mss()));
        int tsVal = SynCookies.encodeTimestamp(ourTs(PORT, client), all ? PEER_WSCALE : -1, all);
        expectSegments(toPeer(PORT, client, SYN | ACK, cookie, clientIss + 1, SYN_WINDOW)
                .withSynOptions(cookieMss, all, all ? OUR_WSCALE : -1, true, tsVal, 5_000));

        fromPeer(client, PORT, ACK, clientIss + 1, cookie + 1, PEER_WINDOW, timestampOptions(5_001, tsVal), "");

        assertThat(accepted).hasSize(1);
        TcpInfo info = accepted.get(0).info();
        assertThat(List.of(info.sack(), info.sndWscale(), info.sndMss()))
                .containsExactly(all, all ? PEER_WSCALE : 0, cookieMss - 12);
    }

    @Test
    void ackWithWrongCookieIsAnsweredWithRstAndCreatesNothing() {
        h.knows(PEER_MAC, PEER_IP);
        listen(1);
        fillBacklogFrom(CLIENT_PORT);
        int client = CLIENT_PORT + 2;
        int clientIss = 99_999;
        fromPeer(client, PORT, SYN, clientIss, 0, PEER_SYN_WINDOW, peerSynOptions(5_000), "");
        SentTcp synAck = Frames.sentTcp(h.sentOne());
        int wrong = synAck.seq() + 1 + 1;

        fromPeer(client, PORT, ACK, clientIss + 1, wrong, PEER_WINDOW, timestampOptions(5_001, synAck.tsVal()), "");

        expectSegments(toPeer(PORT, client, RST, wrong, 0, 0));
        assertThat(h.count(Counter.TCP_SYN_COOKIES_FAILED)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_SYN_COOKIES_VALIDATED)).isZero();
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
        assertThat(accepted).isEmpty();
    }

    // ------------------------------------------------------------------ 4. connection cap

    @Test
    void synBeyondTheConnectionCapIsDroppedSilently() {
        h = new StackHarness(CONFIG, TCP, SECRET, 2);
        h.knows(PEER_MAC, PEER_IP);
        listen(16);
        fromPeer(CLIENT_PORT, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        fromPeer(CLIENT_PORT + 1, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.tick();
        assertThat(h.sent()).extracting(f -> Frames.sentTcp(f).dstPort())
                .containsExactlyInAnyOrder(CLIENT_PORT, CLIENT_PORT + 1);

        fromPeer(CLIENT_PORT + 2, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.tick();

        h.expectNothing();
        assertThat(h.count(Counter.DROP_TCP_CONNECTION_LIMIT)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_SYN_COOKIES_SENT)).isZero();
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(2);
        assertThatThrownBy(() -> h.stack().tcp().connect(h.now(), PEER_IP, PORT, new Recorder(false)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(h.count(Counter.DROP_TCP_CONNECTION_LIMIT)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ 5. TIME-WAIT reuse

    @Test
    void newerSynReusesTimeWaitTupleWithIssAboveTheOldConnection() {
        int iss = timeWaitAfterOurClose();
        TcpConnection old = accepted.get(0);

        h.at(10 * MS);
        int newSeq = PEER_ISS + 100_000;
        fromPeer(CLIENT_PORT, PORT, SYN, newSeq, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS + 10), "");
        h.tick();

        // The clock moved ISNs on by only 10 ms / 4 µs = 2500, so the layer lifts the ISS to
        // the old SND.NXT (ISS + 2: SYN and FIN) + 65537, as Linux does.
        assertThat(iss(PORT, CLIENT_PORT)).isEqualTo(iss + 2_500);
        int newIss = iss + 2 + 65_537;
        expectSegments(toPeer(PORT, CLIENT_PORT, SYN | ACK, newIss, newSeq + 1, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ourTs(PORT, CLIENT_PORT), PEER_TS + 10));
        assertThat(Seq.gt(newIss, old.sndNxt())).isTrue();
        assertThat(h.count(Counter.TCP_TIME_WAIT_REUSED)).isEqualTo(1);
        assertThat(h.stack().tcp().connectionInfo()).extracting(TcpInfo::state).containsExactly(TcpState.SYN_RECEIVED);

        fromPeer(CLIENT_PORT, PORT, ACK, newSeq + 1, newIss + 1, PEER_WINDOW,
                timestampOptions(PEER_TS + 11, ourTs(PORT, CLIENT_PORT)), "");

        assertThat(accepted).hasSize(2);
        assertThat(accepted.get(1).state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(accepted.get(1).iss()).isEqualTo(newIss);
    }

    @Test
    void synBelowRcvNxtWithoutTimestampsInTimeWaitGetsChallengeAckNotNewConnection() {
        int iss = timeWaitAfterOurClose();
        TcpConnection old = accepted.get(0);

        h.at(10 * MS);
        fromPeer(CLIENT_PORT, PORT, SYN, PEER_ISS - 1_000, 0, PEER_SYN_WINDOW,
                synOptions(PEER_MSS, true, PEER_WSCALE, false, 0, 0), "");
        h.tick();

        // RFC 5961 §4: a challenge ACK from TIME-WAIT, echoing the TSval of the peer's FIN.
        expectSegments(toPeer(PORT, CLIENT_PORT, ACK, iss + 2, PEER_ISS + 2, OPEN_WINDOW)
                .withTimestamps(ourTs(PORT, CLIENT_PORT), PEER_TS + 4));
        assertThat(old.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.count(Counter.TCP_TIME_WAIT_REUSED)).isZero();
        assertThat(h.count(Counter.TCP_CHALLENGE_ACKS)).isEqualTo(1);
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
        assertThat(accepted).hasSize(1);
    }

    @Test
    void synAboveRcvNxtWithOlderTimestampInTimeWaitFailsPawsAndIsNotAccepted() {
        int iss = timeWaitAfterOurClose();
        TcpConnection old = accepted.get(0);

        h.at(10 * MS);
        fromPeer(CLIENT_PORT, PORT, SYN, PEER_ISS + 100_000, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.tick();

        expectSegments(toPeer(PORT, CLIENT_PORT, ACK, iss + 2, PEER_ISS + 2, OPEN_WINDOW)
                .withTimestamps(ourTs(PORT, CLIENT_PORT), PEER_TS + 4));
        assertThat(old.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.count(Counter.DROP_TCP_PAWS)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_TIME_WAIT_REUSED)).isZero();
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 6. malformed segments

    /** A valid SYN from the peer to the listener: 14 + 20 + 40 bytes, the TCP header at {@code L3 + 20}. */
    private static byte[] validSyn() {
        return synFrame(OUR_MAC, OUR_IP, SYN);
    }

    private static byte[] synFrame(long dstMac, int dstIp, int flags) {
        byte[] segment = tcp(PEER_IP, dstIp, CLIENT_PORT, PORT, PEER_ISS, 0, flags, PEER_SYN_WINDOW,
                peerSynOptions(PEER_TS), new byte[0]);
        return Frames.ethernet(dstMac, PEER_MAC, EthernetFrame.TYPE_IPV4, ipv4(PEER_IP, dstIp, PROTO_TCP, 7, segment));
    }

    private static final int TCP_AT = L3 + 20;

    static Stream<Arguments> malformed() {
        byte[] truncated = Arrays.copyOf(tcp(PEER_IP, OUR_IP, CLIENT_PORT, PORT, PEER_ISS, 0, SYN, PEER_SYN_WINDOW,
                new byte[0], new byte[0]), 19);
        return Stream.of(
                Arguments.of("bad checksum", flip(validSyn(), TCP_AT + TcpHeader.CHECKSUM), Counter.DROP_TCP_BAD_CHECKSUM),
                Arguments.of("payload altered", flip(validSyn(), TCP_AT + 39), Counter.DROP_TCP_BAD_CHECKSUM),
                Arguments.of("SYN+FIN", synFrame(OUR_MAC, OUR_IP, SYN | FIN), Counter.DROP_TCP_BAD_FLAGS),
                Arguments.of("SYN+RST", synFrame(OUR_MAC, OUR_IP, SYN | RST), Counter.DROP_TCP_BAD_FLAGS),
                Arguments.of("data offset 15 past the 40-byte segment",
                        fixTcpChecksum(dataOffset(validSyn(), 15)), Counter.DROP_TCP_BAD_HEADER_LENGTH),
                Arguments.of("data offset 11 just past the segment",
                        fixTcpChecksum(dataOffset(validSyn(), 11)), Counter.DROP_TCP_BAD_HEADER_LENGTH),
                Arguments.of("data offset 4", fixTcpChecksum(dataOffset(validSyn(), 4)), Counter.DROP_TCP_BAD_HEADER_LENGTH),
                Arguments.of("truncated to 19 bytes", toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_TCP, 7, truncated)),
                        Counter.DROP_TCP_TRUNCATED),
                Arguments.of("empty", toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_TCP, 7, new byte[0])),
                        Counter.DROP_TCP_TRUNCATED),
                Arguments.of("to the subnet broadcast", synFrame(MacAddress.BROADCAST, BROADCAST_IP, SYN),
                        Counter.DROP_TCP_BROADCAST),
                Arguments.of("to 255.255.255.255", synFrame(MacAddress.BROADCAST, Ipv4Address.parse("255.255.255.255"), SYN),
                        Counter.DROP_TCP_BROADCAST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedSegmentIsCountedAndDroppedUnanswered(String what, byte[] frame, Counter counter) {
        h.knows(PEER_MAC, PEER_IP);
        listen(16);

        h.receive(frame);
        h.tick();

        h.expectNothing();
        assertThat(h.count(counter)).isEqualTo(1);
        assertThat(h.count(Counter.TCP_SEGMENTS_RECEIVED)).isZero();
        assertThat(h.count(Counter.TCP_RESETS_SENT)).isZero();
        assertThat(h.stack().tcp().connectionCount()).isZero();
    }

    @Test
    void validSynUsedByTheMalformedCasesIsAnswered() {
        h.knows(PEER_MAC, PEER_IP);
        listen(16);

        h.receive(validSyn());
        h.tick();

        assertThat(Frames.sentTcp(h.sentOne()).flags()).isEqualTo(SYN | ACK);
    }

    // ------------------------------------------------------------------ 7. active open

    @Test
    void connectSendsSynFromFirstEphemeralPortAndSynAckCompletesIt() {
        h.knows(PEER_MAC, PEER_IP);
        Recorder client = new Recorder(false);

        TcpConnection c = h.stack().tcp().connect(h.now(), PEER_IP, PORT, client);
        int local = c.tuple().localPort();
        h.expectNothing();
        h.tick();

        assertThat(local).isEqualTo(TcpLayer.EPHEMERAL_FIRST).isGreaterThanOrEqualTo(32_768);
        int iss = iss(local, PORT);
        int ts0 = ourTs(local, PORT);
        expectSegments(toPeer(local, PORT, SYN, iss, 0, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ts0, 0));
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);

        h.at(5 * MS);
        fromPeer(PORT, local, SYN | ACK, PEER_ISS, iss + 1, PEER_SYN_WINDOW,
                synOptions(PEER_MSS, true, PEER_WSCALE, true, 7_000, ts0), "");
        h.tick();

        expectSegments(toPeer(local, PORT, ACK, iss + 1, PEER_ISS + 1, OPEN_WINDOW)
                .withTimestamps(ourTs(local, PORT), 7_000));
        assertThat(client.events).containsExactly("connected");
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.count(Counter.TCP_ACTIVE_OPENS)).isEqualTo(1);
    }

    @Test
    void connectToUnknownNeighbourSendsSynOnceArpResolvesIt() {
        TcpConnection c = h.stack().tcp().connect(h.now(), PEER_IP, PORT, new Recorder(false));
        int local = c.tuple().localPort();
        h.tick();
        h.expect(ourArpRequest(PEER_IP));

        h.at(2 * MS);
        h.receive(Frames.arpFrame(ArpPacket.REPLY, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP));

        // The SYN written at time 0 waited in the ARP queue.
        expectSegments(toPeer(local, PORT, SYN, isns.isn(0, OUR_IP, local, PEER_IP, PORT), 0, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, isns.timestampOffset(OUR_IP, local, PEER_IP, PORT), 0));
    }

    @Test
    void twoConnectsToTheSameRemoteUseDifferentEphemeralPorts() {
        h.knows(PEER_MAC, PEER_IP);

        TcpConnection first = h.stack().tcp().connect(h.now(), PEER_IP, PORT, new Recorder(false));
        TcpConnection second = h.stack().tcp().connect(h.now(), PEER_IP, PORT, new Recorder(false));
        h.tick();

        int a = first.tuple().localPort();
        int b = second.tuple().localPort();
        assertThat(List.of(a, b)).containsExactly(TcpLayer.EPHEMERAL_FIRST, TcpLayer.EPHEMERAL_FIRST + 1);
        assertThat(h.sent().stream().map(Frames::sentTcp).toList()).containsExactlyInAnyOrder(
                toPeer(a, PORT, SYN, iss(a, PORT), 0, SYN_WINDOW)
                        .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ourTs(a, PORT), 0),
                toPeer(b, PORT, SYN, iss(b, PORT), 0, SYN_WINDOW)
                        .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ourTs(b, PORT), 0));
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(2);
    }

    @Test
    void closedActiveConnectionLeavesTheTableWhenTimeWaitEnds() {
        long msl = 100 * MS;
        h = new StackHarness(CONFIG, TCP.withMsl(msl), SECRET, MAX_CONNECTIONS);
        h.knows(PEER_MAC, PEER_IP);
        Recorder client = new Recorder(false);
        TcpConnection c = h.stack().tcp().connect(h.now(), PEER_IP, PORT, client);
        int local = c.tuple().localPort();
        h.tick();
        int iss = Frames.sentTcp(h.sentOne()).seq();
        int ts0 = ourTs(local, PORT);
        fromPeer(PORT, local, SYN | ACK, PEER_ISS, iss + 1, PEER_SYN_WINDOW,
                synOptions(PEER_MSS, true, PEER_WSCALE, true, 7_000, ts0), "");
        h.tick();
        h.sent();

        c.close();
        h.tick();
        expectSegments(toPeer(local, PORT, FIN | ACK, iss + 1, PEER_ISS + 1, OPEN_WINDOW)
                .withTimestamps(ourTs(local, PORT), 7_000));

        h.at(10 * MS);
        fromPeer(PORT, local, FIN | ACK, PEER_ISS + 1, iss + 2, PEER_WINDOW, timestampOptions(7_001, ts0), "");
        h.tick();
        expectSegments(toPeer(local, PORT, ACK, iss + 2, PEER_ISS + 2, OPEN_WINDOW)
                .withTimestamps(ourTs(local, PORT), 7_001));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(client.events).containsExactly("connected", "closed NORMAL");
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);

        h.at(10 * MS + 2 * msl - MS).tick();
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);

        h.at(10 * MS + 2 * msl).tick();
        assertThat(h.stack().tcp().connectionCount()).isZero();
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        h.expectNothing();
    }

    // ------------------------------------------------------------------ 8. timers

    @Test
    void unansweredSynAckIsRetransmittedAfterTheInitialRtoThenAfterTwiceIt() {
        h.knows(PEER_MAC, PEER_IP);
        listen(16);
        fromPeer(CLIENT_PORT, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.tick();
        int iss = Frames.sentTcp(h.sentOne()).seq();

        h.at(SECOND - MS).tick();
        h.expectNothing();

        h.at(SECOND).tick();
        expectSegments(toPeer(PORT, CLIENT_PORT, SYN | ACK, iss, PEER_ISS + 1, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ourTs(PORT, CLIENT_PORT), PEER_TS));
        assertThat(h.count(Counter.TCP_SYN_RETRANSMITS)).isEqualTo(1);

        h.at(3 * SECOND - MS).tick();
        h.expectNothing();

        h.at(3 * SECOND).tick();
        expectSegments(toPeer(PORT, CLIENT_PORT, SYN | ACK, iss, PEER_ISS + 1, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ourTs(PORT, CLIENT_PORT), PEER_TS));
        assertThat(h.count(Counter.TCP_SYN_RETRANSMITS)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ 9. stack shutdown

    @Test
    void stackShutdownClosesTheFilesOfConnectionsAndTheIdleOnes(@TempDir Path dir) throws IOException {
        FileChannelCache files = new FileChannelCache(FileChannelCache.DEFAULT_MAX_IDLE, FileChannelCacheTest.LATER);
        h.stack().tcp().context().files(files);
        h.knows(PEER_MAC, PEER_IP);
        listen(16);
        int iss = passiveHandshake(CLIENT_PORT);
        TcpConnection c = accepted.get(0);
        Path page = Files.write(dir.resolve("page.html"), new byte[100]);
        Path big = Files.write(dir.resolve("big.bin"), new byte[1 << 20]);

        assertThat(c.writeFile(FileRegion.of(page))).isTrue();
        h.tick();
        h.at(1 * MS);
        fromPeer(CLIENT_PORT, PORT, ACK, PEER_ISS + 1, iss + 1 + 100, PEER_WINDOW,
                timestampOptions(PEER_TS + 2, ourTs(PORT, CLIENT_PORT)), "");
        h.tick();
        assertThat(files.idleChannels()).as("the page's file, kept for the next response").isEqualTo(1);
        assertThat(c.writeFile(FileRegion.of(big))).isTrue();
        h.tick();
        assertThat(c.snd.buffer.channelsOpen()).as("the big file is being sent").isEqualTo(1);
        assertThat(files.openChannels()).isEqualTo(2);

        h.stack().onShutdown();
        assertThat(files.openChannels()).isZero();
        assertThat(c.snd.buffer.channelsOpen()).isZero();
        assertThat(c.snd.buffer.length()).as("the queue is kept").isEqualTo(1 << 20);
    }

    // ------------------------------------------------------------------ fixtures

    /** Listens on {@link #PORT}; accepted connections are recorded and echo through {@link #server}. */
    private TcpListener listen(int backlog) {
        return h.stack().tcp().listen(PORT, backlog, c -> {
            accepted.add(c);
            return server;
        });
    }

    /**
     * The peer at {@code clientPort} connects at the current time: SYN, our SYN-ACK (checked),
     * its ACK. Returns our ISS.
     */
    private int passiveHandshake(int clientPort) {
        fromPeer(clientPort, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.tick();
        int iss = iss(PORT, clientPort);
        int ts0 = ourTs(PORT, clientPort);
        expectSegments(toPeer(PORT, clientPort, SYN | ACK, iss, PEER_ISS + 1, SYN_WINDOW)
                .withSynOptions(TCP.mss(), true, OUR_WSCALE, true, ts0, PEER_TS));
        fromPeer(clientPort, PORT, ACK, PEER_ISS + 1, iss + 1, PEER_WINDOW, timestampOptions(PEER_TS + 1, ts0), "");
        return iss;
    }

    /** A SYN from {@code clientPort} that stays half-open, filling a backlog of 1. */
    private void fillBacklogFrom(int clientPort) {
        fromPeer(clientPort, PORT, SYN, PEER_ISS, 0, PEER_SYN_WINDOW, peerSynOptions(PEER_TS), "");
        h.tick();
        assertThat(Frames.sentTcp(h.sentOne()).flags()).isEqualTo(SYN | ACK);
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
    }

    /**
     * An accepted connection closed from our side: our FIN, the peer's ACK at 1 ms, its FIN at
     * 2 ms, our ACK. Leaves it in TIME-WAIT with RCV.NXT = PEER_ISS + 2, TS.Recent = PEER_TS + 4;
     * returns our ISS (SND.NXT is ISS + 2).
     */
    private int timeWaitAfterOurClose() {
        h.knows(PEER_MAC, PEER_IP);
        listen(16);
        int iss = passiveHandshake(CLIENT_PORT);
        TcpConnection c = accepted.get(0);

        c.close();
        h.tick();
        expectSegments(toPeer(PORT, CLIENT_PORT, FIN | ACK, iss + 1, PEER_ISS + 1, OPEN_WINDOW)
                .withTimestamps(ourTs(PORT, CLIENT_PORT), PEER_TS + 1));

        h.at(1 * MS);
        fromPeer(CLIENT_PORT, PORT, ACK, PEER_ISS + 1, iss + 2, PEER_WINDOW, timestampOptions(PEER_TS + 3, ourTs(PORT, CLIENT_PORT)), "");
        h.tick();
        h.expectNothing();
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);

        h.at(2 * MS);
        fromPeer(CLIENT_PORT, PORT, FIN | ACK, PEER_ISS + 1, iss + 2, PEER_WINDOW, timestampOptions(PEER_TS + 4, ourTs(PORT, CLIENT_PORT)), "");
        h.tick();
        expectSegments(toPeer(PORT, CLIENT_PORT, ACK, iss + 2, PEER_ISS + 2, OPEN_WINDOW)
                .withTimestamps(ourTs(PORT, CLIENT_PORT), PEER_TS + 4));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.stack().tcp().connectionCount()).isEqualTo(1);
        return iss;
    }

    /** The peer's SYN options: MSS 1400, SACK-permitted, timestamps (TSecr 0) and window shift 7. */
    private static byte[] peerSynOptions(int tsVal) {
        return synOptions(PEER_MSS, true, PEER_WSCALE, true, tsVal, 0);
    }

    /** A segment from the peer's {@code srcPort} to our {@code dstPort}, in a frame to our MAC. */
    private void fromPeer(int srcPort, int dstPort, int flags, int seq, int ack, int window, byte[] options,
                          String payload) {
        byte[] segment = tcp(PEER_IP, OUR_IP, srcPort, dstPort, seq, ack, flags, window, options, text(payload));
        h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_TCP, ipId++, segment)));
    }

    /** The segment we should send from {@code srcPort} to the peer's {@code dstPort}, without options or payload. */
    private static SentTcp toPeer(int srcPort, int dstPort, int flags, int seq, int ack, int window) {
        return segment(PEER_MAC, PEER_IP, srcPort, dstPort, flags, seq, ack, window);
    }

    /** Asserts that exactly these segments, in this order, were sent since the last look. */
    private void expectSegments(SentTcp... expected) {
        assertThat(h.sent().stream().map(Frames::sentTcp).toList()).containsExactly(expected);
    }

    /** The ISS the stack chooses now for the 4-tuple, RFC 6528 under {@link #SECRET}. */
    private int iss(int localPort, int remotePort) {
        return isns.isn(h.now(), OUR_IP, localPort, PEER_IP, remotePort);
    }

    /** Our TSval now for the 4-tuple: the millisecond clock plus its keyed offset. */
    private int ourTs(int localPort, int remotePort) {
        return (int) (h.now() / MS) + isns.timestampOffset(OUR_IP, localPort, PEER_IP, remotePort);
    }

    private static byte[] flip(byte[] frame, int index) {
        frame[index] ^= 0x01;
        return frame;
    }

    private static byte[] dataOffset(byte[] frame, int words) {
        frame[TCP_AT + TcpHeader.DATA_OFFSET] = (byte) (words << 4);
        return frame;
    }

    /** Records callbacks as strings; with {@code echo}, writes back whatever it reads. */
    private static final class Recorder implements TcpHandler {
        final List<String> events = new ArrayList<>();
        private final boolean echo;

        Recorder(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void onConnected(TcpConnection c) {
            events.add("connected");
        }

        @Override
        public void onReadable(TcpConnection c) {
            byte[] data = new byte[c.readable()];
            c.read(data, 0, data.length);
            events.add("readable " + new String(data, StandardCharsets.ISO_8859_1));
            if (echo) {
                assertThat(c.write(data, 0, data.length)).isEqualTo(data.length);
            }
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            events.add("peer closed");
        }

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
            events.add("closed " + reason);
        }
    }
}
