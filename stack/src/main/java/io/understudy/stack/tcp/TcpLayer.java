package io.understudy.stack.tcp;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.ip.IpProtocolHandler;
import io.understudy.stack.link.Link;
import io.understudy.stack.ip.Ipv4Datagram;
import io.understudy.stack.ip.Ipv4Layer;
import io.understudy.stack.time.TimerWheel;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.Seq;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptionsWriter;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.replication.TcbImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * TCP on top of IPv4: validates segments, finds their connection, runs listeners (with a backlog
 * and SYN cookies when it is full), answers segments for no connection with a RST, chooses ISNs,
 * keeps each connection's deadline on the timer wheel, and sends what connections write. The
 * connections themselves are {@link TcpConnection}s; this class is their owner. Stack thread only.
 */
public final class TcpLayer implements IpProtocolHandler, TcpConnection.Owner, SegmentSink {
    /** Ephemeral ports for active opens, as Linux's ip_local_port_range. */
    static final int EPHEMERAL_FIRST = 32_768, EPHEMERAL_LAST = 60_999;
    /** Largest TCP segment handed to the link for segmentation: an IPv4 datagram of 64 KiB less its header. */
    static final int MAX_LARGE_SEGMENT = 0xFFFF - 20;
    /** Default cap on connections in any state. */
    public static final int DEFAULT_MAX_CONNECTIONS = 65_536;

    /** Per-connection bookkeeping of the layer: the TCB, its timer and its place in the output list. */
    private final class Entry extends TimerWheel.Timer {
        final TcpConnection connection;
        final long key;
        final TcpListener listener;
        boolean halfOpen;
        boolean dirty;
        Entry nextDirty;
        boolean replicating;
        Entry nextReplicating;

        Entry(TcpConnection connection, long key, TcpListener listener) {
            this.connection = connection;
            this.key = key;
            this.listener = listener;
        }

        @Override
        protected void onExpiry(long now) {
            connection.onTimer(now);
            markDirty(this);
        }
    }

    private final Ipv4Layer ip;
    private final TimerWheel wheel;
    private final TcpContext context;
    private final Counters counters;
    private final int localIp;
    private final int maxConnections;
    private TcpSecret secret;
    private IsnGenerator isns;
    private SynCookies cookies;
    private final ConnectionTable<Entry> connections = new ConnectionTable<>(1024);
    private final TcpListener[] listeners = new TcpListener[65_536];
    private final TcpHeader header = new TcpHeader();
    private final TcpHeader out = new TcpHeader();
    private final TcpSegment segment = new TcpSegment();
    private Entry dirtyHead;
    private Entry replicatingHead;
    private final TcbImage image = new TcbImage();
    private int nextEphemeral = EPHEMERAL_FIRST;

    /**
     * @param maxConnections cap on connections of every state; SYNs beyond it are dropped and counted
     * @param secret the key of ISNs and SYN cookies (shared with a standby, so both stay valid across a takeover)
     */
    public TcpLayer(Ipv4Layer ip, TimerWheel wheel, TcpContext context, TcpSecret secret, int maxConnections) {
        this.ip = ip;
        this.wheel = wheel;
        this.context = context;
        this.counters = context.counters();
        this.localIp = ip.config().ip();
        this.maxConnections = maxConnections;
        rekey(secret);
        ip.register(Ipv4Header.PROTO_TCP, this);
    }

    /** The key of ISNs and SYN cookies. */
    public TcpSecret secret() {
        return secret;
    }

    /**
     * Replaces the key of ISNs and SYN cookies: a standby takes its primary's, so that cookies the
     * primary issued validate after a takeover and new ISNs stay unpredictable alike.
     */
    public void rekey(TcpSecret secret) {
        this.secret = java.util.Objects.requireNonNull(secret, "secret");
        this.isns = new IsnGenerator(secret);
        this.cookies = new SynCookies(secret);
    }

    /** The settings every connection uses. */
    public TcpConfig config() {
        return context.config();
    }

    /** What the connections share (tests: its file cache). */
    TcpContext context() {
        return context;
    }

    /** Number of connections in any state, TIME-WAIT included. */
    public int connectionCount() {
        return connections.size();
    }

    /** Visits every connection (for status pages); the visitor must not open or close any. */
    public void forEachConnection(Consumer<TcpConnection> visitor) {
        connections.forEach(e -> visitor.accept(e.connection));
    }

    /** Snapshots of every connection. */
    public List<TcpInfo> connectionInfo() {
        List<TcpInfo> infos = new ArrayList<>(connections.size());
        forEachConnection(c -> infos.add(c.info()));
        return infos;
    }

    /** Opens {@code port} for connections; at most {@code backlog} may be half-open before SYN cookies answer. */
    public TcpListener listen(int port, int backlog, TcpListener.AcceptHandler acceptHandler) {
        checkPort(port);
        if (listeners[port] != null) {
            throw new IllegalStateException("port " + port + " is already listening");
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive, got " + backlog);
        }
        TcpListener listener = new TcpListener(port, backlog, acceptHandler);
        listeners[port] = listener;
        return listener;
    }

    /** Stops accepting on {@code port}; connections already accepted go on. */
    public void unlisten(int port) {
        checkPort(port);
        listeners[port] = null;
    }

    /** The listener on {@code port}, or null. */
    public TcpListener listener(int port) {
        return listeners[port];
    }

    /** Active open to {@code remoteIp:remotePort} from an ephemeral port; {@code handler} hears the rest. */
    public TcpConnection connect(long now, int remoteIp, int remotePort, TcpHandler handler) {
        checkPort(remotePort);
        if (connections.size() >= maxConnections) {
            counters.increment(Counter.DROP_TCP_CONNECTION_LIMIT);
            throw new IllegalStateException("connection limit of " + maxConnections + " reached");
        }
        int localPort = freeEphemeralPort(remoteIp, remotePort);
        TcpTuple tuple = new TcpTuple(localIp, localPort, remoteIp, remotePort);
        TcpConnection c = new TcpConnection(context, tuple, this);
        c.handler(handler);
        Entry entry = new Entry(c, ConnectionTable.key(remoteIp, remotePort, localPort), null);
        connections.put(entry.key, entry);
        c.openActive(now, isns.isn(now, localIp, localPort, remoteIp, remotePort),
                isns.timestampOffset(localIp, localPort, remoteIp, remotePort));
        markDirty(entry);
        return c;
    }

    private int freeEphemeralPort(int remoteIp, int remotePort) {
        int span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
        for (int tries = 0; tries < span; tries++) {
            int port = nextEphemeral;
            nextEphemeral = port == EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
            if (listeners[port] == null && connections.get(ConnectionTable.key(remoteIp, remotePort, port)) == null) {
                return port;
            }
        }
        throw new IllegalStateException("no free ephemeral port towards that address and port");
    }

    @Override
    public void onDatagram(long now, Ipv4Datagram d) {
        if (d.broadcast) {
            counters.increment(Counter.DROP_TCP_BROADCAST);
            return;
        }
        switch (header.wrap(d.buf, d.payloadAt, d.payloadLength).validate(d.src, d.dst, d.checksumTrusted)) {
            case TRUNCATED -> { counters.increment(Counter.DROP_TCP_TRUNCATED); return; }
            case BAD_HEADER_LENGTH -> { counters.increment(Counter.DROP_TCP_BAD_HEADER_LENGTH); return; }
            case BAD_CHECKSUM -> { counters.increment(Counter.DROP_TCP_BAD_CHECKSUM); return; }
            case BAD_FLAGS -> { counters.increment(Counter.DROP_TCP_BAD_FLAGS); return; }
            case NONE -> { }
        }
        counters.increment(Counter.TCP_SEGMENTS_RECEIVED);
        TcpSegment seg = segment.from(header);
        int remotePort = header.srcPort();
        int localPort = header.dstPort();
        Entry entry = connections.get(ConnectionTable.key(d.src, remotePort, localPort));
        if (entry != null && entry.connection.state() == TcpState.TIME_WAIT && isPlainSyn(seg)
                && entry.connection.acceptsNewSyn(seg)) {
            // RFC 9293 §3.6.1, RFC 6191: a new SYN may reuse a TIME-WAIT 4-tuple.
            int oldSndNxt = entry.connection.sndNxt();
            forget(entry);
            counters.increment(Counter.TCP_TIME_WAIT_REUSED);
            // As Linux: the new ISS starts well above anything the old incarnation sent.
            onNoConnection(now, d.src, remotePort, localPort, seg, oldSndNxt + 65_537);
            return;
        }
        if (entry != null) {
            entry.connection.onSegment(now, seg);
            markDirty(entry);
            return;
        }
        onNoConnection(now, d.src, remotePort, localPort, seg, 0);
    }

    private static boolean isPlainSyn(TcpSegment seg) {
        return seg.has(TcpHeader.SYN) && !seg.has(TcpHeader.ACK);
    }

    /** A segment for no connection: a listener's SYN or cookie ACK, or else a RST (RFC 9293 §3.10.7.1-2). */
    private void onNoConnection(long now, int remoteIp, int remotePort, int localPort, TcpSegment seg, int minIss) {
        TcpListener listener = listeners[localPort];
        if (seg.has(TcpHeader.RST)) {
            return; // never answer a RST
        }
        if (listener == null) {
            counters.increment(Counter.TCP_NO_LISTENER);
            reset(now, remoteIp, remotePort, localPort, seg);
            return;
        }
        if (seg.has(TcpHeader.ACK)) {
            if (!seg.has(TcpHeader.SYN) && acceptCookie(now, listener, remoteIp, remotePort, seg)) {
                return;
            }
            reset(now, remoteIp, remotePort, localPort, seg);
            return;
        }
        if (!seg.has(TcpHeader.SYN)) {
            counters.increment(Counter.DROP_TCP_NO_CONNECTION);
            return;
        }
        if (connections.size() >= maxConnections) {
            counters.increment(Counter.DROP_TCP_CONNECTION_LIMIT);
            return;
        }
        if (listener.halfOpen >= listener.backlog()) {
            sendCookie(now, listener, remoteIp, remotePort, seg);
            return;
        }
        TcpTuple tuple = new TcpTuple(localIp, localPort, remoteIp, remotePort);
        TcpConnection c = new TcpConnection(context, tuple, this);
        Entry entry = new Entry(c, ConnectionTable.key(remoteIp, remotePort, localPort), listener);
        entry.halfOpen = true;
        listener.halfOpen++;
        connections.put(entry.key, entry);
        int iss = isns.isn(now, localIp, localPort, remoteIp, remotePort);
        if (minIss != 0 && Seq.lt(iss, minIss)) {
            iss = minIss;
        }
        c.openPassive(now, iss, isns.timestampOffset(localIp, localPort, remoteIp, remotePort), seg);
        markDirty(entry);
    }

    /** RFC 4987 §3.6: the backlog is full, so answer with a SYN-ACK that keeps the state in its ISN. */
    private void sendCookie(long now, TcpListener listener, int remoteIp, int remotePort, TcpSegment syn) {
        int localPort = listener.port();
        TcpConfig config = context.config();
        int peerMss = syn.options.hasMss() ? syn.options.mss() : 536;
        int iss = cookies.cookieIsn(now, localIp, localPort, remoteIp, remotePort, syn.seq, Math.min(peerMss, config.mss()));
        boolean timestamps = config.timestamps() && syn.options.hasTimestamps();
        boolean sack = config.sack() && syn.options.sackPermitted();
        // The TSval carries the peer's shift (our sending scale, as Linux's snd_wscale); our SYN-ACK's
        // window scale option announces our own receive shift.
        int peerWindowScale = config.windowScaling() && syn.options.hasWindowScale() ? syn.options.windowScale() : -1;
        int tsVal = 0;
        if (timestamps) {
            int tsNow = (int) (now / 1_000_000L) + isns.timestampOffset(localIp, localPort, remoteIp, remotePort);
            // Without timestamps the cookie cannot carry window scale and SACK: they are lost (RFC 4987 §3.6).
            tsVal = SynCookies.encodeTimestamp(tsNow, peerWindowScale, sack);
        }
        ByteBuffer buf = segmentBuffer();
        int at = segmentOffset();
        int optionsLength = TcpOptionsWriter.writeSyn(buf, at + TcpHeader.MIN_LENGTH, SynCookies.encodableMss(Math.min(peerMss, config.mss())),
                timestamps && sack, timestamps && peerWindowScale >= 0 ? context.receiveWindowShift() : -1, timestamps,
                tsVal, syn.options.tsVal());
        int length = TcpHeader.MIN_LENGTH + optionsLength;
        out.wrap(buf, at, length).srcPort(localPort).dstPort(remotePort).seq(iss).ack(syn.seq + 1)
                .headerLength(length).flags(TcpHeader.SYN | TcpHeader.ACK).window(context.synWindow())
                .urgentPointer(0);
        listener.cookiesSent++;
        counters.increment(Counter.TCP_SYN_COOKIES_SENT);
        send(now, remoteIp, length);
    }

    private boolean acceptCookie(long now, TcpListener listener, int remoteIp, int remotePort, TcpSegment ack) {
        if (listener.cookiesSent == 0 || connections.size() >= maxConnections) {
            return false;
        }
        int localPort = listener.port();
        SynCookies.Decoded cookie = cookies.check(now, localIp, localPort, remoteIp, remotePort, ack.seq - 1, ack.ack - 1,
                ack.options.hasTimestamps(), ack.options.tsEcr());
        if (!cookie.valid()) {
            counters.increment(Counter.TCP_SYN_COOKIES_FAILED);
            return false;
        }
        counters.increment(Counter.TCP_SYN_COOKIES_VALIDATED);
        TcpTuple tuple = new TcpTuple(localIp, localPort, remoteIp, remotePort);
        TcpConnection c = new TcpConnection(context, tuple, this);
        Entry entry = new Entry(c, ConnectionTable.key(remoteIp, remotePort, localPort), listener);
        connections.put(entry.key, entry);
        c.openFromCookie(now, ack.ack - 1, isns.timestampOffset(localIp, localPort, remoteIp, remotePort), ack.seq - 1,
                cookie.mss(), cookie.windowScale(), cookie.sackPermitted(), ack);
        markDirty(entry);
        return true;
    }

    /** RFC 9293 §3.10.7.1: the RST for a segment that has no connection (never for a RST). */
    private void reset(long now, int remoteIp, int remotePort, int localPort, TcpSegment seg) {
        ByteBuffer buf = segmentBuffer();
        int at = segmentOffset();
        out.wrap(buf, at, TcpHeader.MIN_LENGTH).srcPort(localPort).dstPort(remotePort).headerLength(TcpHeader.MIN_LENGTH)
                .window(0).urgentPointer(0);
        if (seg.has(TcpHeader.ACK)) {
            out.seq(seg.ack).ack(0).flags(TcpHeader.RST);
        } else {
            out.seq(0).ack(seg.seq + seg.length()).flags(TcpHeader.RST | TcpHeader.ACK);
        }
        counters.increment(Counter.TCP_RESETS_SENT);
        send(now, remoteIp, TcpHeader.MIN_LENGTH);
    }

    /** End of batch: let every connection that has something to say say it, and re-arm its timer. */
    public void flush(long now) {
        while (dirtyHead != null) {
            Entry entry = dirtyHead;
            dirtyHead = entry.nextDirty;
            entry.nextDirty = null;
            entry.dirty = false;
            // A CLOSED connection may still owe its RST (abort, close with unread data, keepalive
            // timeout): output sends it, and the connection then reports itself done.
            entry.connection.output(now, this);
            if (entry.connection.state() == TcpState.CLOSED) {
                continue;
            }
            long deadline = entry.connection.nextDeadline();
            if (deadline == TcpConnection.NO_DEADLINE) {
                wheel.cancel(entry);
            } else {
                wheel.schedule(entry, deadline);
            }
        }
        ReplicationLog log = context.replication;
        if (log != null) {
            writeImages(log);
            log.commit(now);
        }
    }

    /** The image of every connection the batch changed, into the batch's record. */
    private void writeImages(ReplicationLog log) {
        while (replicatingHead != null) {
            Entry entry = replicatingHead;
            replicatingHead = entry.nextReplicating;
            entry.nextReplicating = null;
            entry.replicating = false;
            TcpConnection c = entry.connection;
            c.replicated();
            if (c.state() != TcpState.CLOSED && connections.get(entry.key) == entry) {
                log.image(c.exportImage(image));
            }
        }
    }

    @Override
    public void replicate(TcpConnection c) {
        Entry entry = entryOf(c);
        if (entry != null && entry.connection == c && !entry.replicating) {
            entry.replicating = true;
            entry.nextReplicating = replicatingHead;
            replicatingHead = entry;
        }
    }

    /**
     * Closes every file the connections' send queues hold open, and the idle ones the stack keeps
     * ({@link FileChannelCache}): for a stack that stops, so that no file descriptor outlives it.
     * The queues keep their regions; one that copies again opens its files again. Stack thread.
     */
    public void closeFiles() {
        connections.forEach(e -> e.connection.snd.buffer.releaseFiles());
        context.files().close();
    }

    // ---------------------------------------------------------------- replication

    /**
     * Starts replicating into {@code log}: a snapshot of every connection (image, receive queue,
     * send queue) goes into the log's current record, which is committed. From then on every
     * change is logged as it happens. Stack thread.
     */
    public void startReplication(long now, ReplicationLog log) {
        context.replication = log;
        forgetReplicating(); // anything queued for the previous log is covered by the snapshot
        connections.forEach(e -> e.connection.snapshotTo(log, image));
        log.commit(now);
    }

    /** Stops replicating (solo). Stack thread. */
    public void stopReplication() {
        context.replication = null;
        forgetReplicating();
    }

    /** Empties the list of connections waiting to be written into the batch's record. */
    private void forgetReplicating() {
        while (replicatingHead != null) {
            Entry e = replicatingHead;
            replicatingHead = e.nextReplicating;
            e.nextReplicating = null;
            e.replicating = false;
            e.connection.replicated();
        }
    }

    /**
     * Takeover: re-creates the connection {@code a} describes (see {@link Adoption}) as the
     * primary left it, arms it, and hands it to its listener's application with
     * {@link TcpHandler#onAdopted}; its retransmission from SND.UNA and a window update go out
     * at the end of the batch. A connection whose application state was lost (a standby that
     * joined while it was mid-request) is reset instead. Returns the connection, or null if it
     * could not be adopted (not our address, or its 4-tuple is taken).
     */
    public TcpConnection adopt(long now, Adoption a) {
        TcbImage im = a.image();
        long key = ConnectionTable.key(im.remoteIp, im.remotePort, im.localPort);
        if (im.localIp != localIp || connections.get(key) != null || im.tcpState() == TcpState.CLOSED
                || im.tcpState() == TcpState.LISTEN) {
            return null;
        }
        TcpListener listener = im.has(TcbImage.PASSIVE) ? listeners[im.localPort] : null;
        TcpConnection c = new TcpConnection(context, new TcpTuple(localIp, im.localPort, im.remoteIp, im.remotePort), this);
        Entry entry = new Entry(c, key, listener);
        connections.put(key, entry);
        Resume resume = c.restore(now, a);
        counters.increment(Counter.TCP_ADOPTED);
        if (im.tcpState() == TcpState.SYN_RECEIVED && listener != null) {
            entry.halfOpen = true;
            listener.halfOpen++;
        } else if (listener != null && !im.has(TcbImage.APP_CLOSED) && c.state() != TcpState.CLOSED
                && c.state() != TcpState.TIME_WAIT) {
            listener.accepted++;
            TcpHandler handler = listener.acceptHandler().accept(c);
            c.adopted(handler, resume);
        }
        markDirty(entry);
        return c;
    }

    private void markDirty(Entry entry) {
        if (!entry.dirty) {
            entry.dirty = true;
            entry.nextDirty = dirtyHead;
            dirtyHead = entry;
        }
    }

    private Entry entryOf(TcpConnection c) {
        TcpTuple t = c.tuple();
        return connections.get(ConnectionTable.key(t.remoteIp(), t.remotePort(), t.localPort()));
    }

    @Override
    public void established(TcpConnection c) {
        Entry entry = entryOf(c);
        if (entry == null || entry.listener == null) {
            return;
        }
        if (entry.halfOpen) {
            entry.halfOpen = false;
            entry.listener.halfOpen--;
        }
        entry.listener.accepted++;
        c.handler(entry.listener.acceptHandler().accept(c));
    }

    @Override
    public void wantsOutput(TcpConnection c) {
        Entry entry = entryOf(c);
        if (entry != null) {
            markDirty(entry);
        }
    }

    @Override
    public void closed(TcpConnection c) {
        Entry entry = entryOf(c);
        if (entry != null && entry.connection == c) {
            forget(entry);
        }
    }

    private void forget(Entry entry) {
        connections.remove(entry.key);
        ReplicationLog log = context.replication;
        if (log != null) {
            log.removed(entry.connection.tuple());
        }
        wheel.cancel(entry);
        if (entry.halfOpen) {
            entry.halfOpen = false;
            entry.listener.halfOpen--;
        }
    }

    @Override
    public ByteBuffer segmentBuffer() {
        return ip.txBuffer();
    }

    @Override
    public int segmentOffset() {
        return Ipv4Layer.PAYLOAD_AT;
    }

    @Override
    public int maxSegmentLength() {
        return ip.config().mtu() - Ipv4Header.MIN_LENGTH;
    }

    @Override
    public void send(long now, TcpTuple tuple, int length) {
        send(now, tuple.remoteIp(), length);
    }

    @Override
    public int largeSegmentLength(TcpTuple tuple, long now) {
        return ip.canOffload(tuple.remoteIp(), now, Link.OFFLOAD_CSUM | Link.OFFLOAD_TSO) ? MAX_LARGE_SEGMENT : 0;
    }

    @Override
    public void sendLarge(long now, TcpTuple tuple, int length, int headerLength, int payloadPerSegment) {
        sendOffloaded(now, tuple.remoteIp(), length, payloadPerSegment, headerLength);
    }

    /** The link completes the checksum (only the pseudo header is summed here) and, with {@code gsoSize}, segments. */
    private void sendOffloaded(long now, int remoteIp, int length, int gsoSize, int headerLength) {
        out.wrap(segmentBuffer(), segmentOffset(), length).writePartialChecksum(localIp, remoteIp);
        counters.increment(Counter.TCP_SEGMENTS_SENT);
        ip.sendOffloaded(now, remoteIp, Ipv4Header.PROTO_TCP, length, TcpHeader.CHECKSUM, gsoSize, headerLength);
        context.commit.tag(0);
    }

    private void send(long now, int remoteIp, int length) {
        if (ip.canOffload(remoteIp, now, Link.OFFLOAD_CSUM)) {
            sendOffloaded(now, remoteIp, length, 0, 0);
            return;
        }
        out.wrap(segmentBuffer(), segmentOffset(), length).writeChecksum(localIp, remoteIp);
        counters.increment(Counter.TCP_SEGMENTS_SENT);
        // DF: segments are sized to the path MTU (RFC 1191 as Linux does); we never fragment TCP.
        ip.send(now, remoteIp, Ipv4Header.PROTO_TCP, length, true);
        context.commit.tag(0); // a segment queued for ARP resolution must not tag the next frame
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
    }
}
