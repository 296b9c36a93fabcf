package io.understudy.httpd;

import io.understudy.httpd.files.Conditional;
import io.understudy.httpd.files.ContentTypes;
import io.understudy.httpd.files.DocumentRoot;
import io.understudy.httpd.files.FileIdentity;
import io.understudy.httpd.files.RangeRequest;
import io.understudy.httpd.files.ResolutionCache;
import io.understudy.stack.tcp.CloseReason;
import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.Resume;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.wire.Ipv4Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/1.1 server on the stack's TCP API, running entirely on the stack thread.
 *
 * <h2>One request in, one whole response out</h2>
 * A request stays in the TCP receive queue until it is whole: the connection {@linkplain
 * TcpConnection#peek peeks} the queued bytes from where the answered requests ended and feeds
 * only the bytes it has not fed yet to its {@link RequestDecoder} (so a request arriving one byte
 * at a time costs linear work, each byte copied and decoded once; the decoder's state is only a
 * function of the request's bytes, which a standby rebuilds by decoding them again). When a
 * request (head and content) is complete, the connection {@linkplain TcpConnection#consume
 * consumes} exactly its bytes and, in the same callback, builds the whole response and appends it
 * to the send queue: the head as bytes, the body as bytes, as {@link FileRegion}s (files are never
 * read into memory) or, for {@code /bytes/N}, generated. Then the receive queue and the send queue
 * are all a standby needs to resume the application (DESIGN.md, replication). When the send queue
 * cannot take the whole response, the rest waits in the connection and goes on at
 * {@code onWritable}; until it is all queued, no new request is read (pipelined requests wait in
 * the receive queue, in order).
 *
 * <p><b>Exceptions, and the resume mark.</b> Some state is in neither queue: the rest of a
 * response the send queue could not take (the remainder of its bytes, the rest of a
 * {@code /bytes/N} generated as the queue drains, file regions beyond the queue's descriptor or
 * file-byte bounds); a request longer than half the receive queue
 * ({@link TcpConnection#receiveCapacity()}; 512 KiB of the default 1 MiB), which can never wait
 * whole in it without closing the window and so is <em>streamed</em> (each time half a queue of it
 * has been decoded those bytes are consumed, and the rest of the request, such as the buffered
 * {@code /echo} content, lives only in the decoder); a {@code 100 Continue}, queued when the head
 * arrives, before the request is whole; and the 503 and 408 responses, which are not a function of
 * the input. For these the connection keeps the stack's {@linkplain TcpConnection#resumeMark
 * resume mark}, replicated with the TCB. Its receive offset is where the request being answered
 * (or, between responses, decoded) began, so a standby decodes the consumed part of that request
 * again; while that request's output is being produced (from its 100 Continue or its response
 * until the response is all in the send queue) its send offset is where that output began, and
 * its word says the response's {@code Date} second and whether it is a 503 or a 408
 * ({@link #resumeWord}); otherwise the send offset is -1 and the word 0. The mark is set at the
 * end of a callback, only when it changed, and never while the connection never needed one; once
 * set (or after an adoption, which leaves one) it follows the consumed point request by request,
 * since the stack keeps a mark where it was put.
 *
 * <p>At takeover the standby's listener accepts the connection and {@link TcpHandler#onAdopted}
 * starts it over at the mark's request: the replayed bytes, then the receive queue, are decoded as
 * usual, and the first {@link Resume#sendSkip()} bytes of the output made again (100 Continue,
 * head, body) are dropped, by skipping literal bytes, advancing a file region's offset or the
 * generator's position, so the client gets exactly the bytes it would have got, and the requests
 * after it are answered in order. That needs the output of a request to be a function of its bytes,
 * the files and the mark: dates are whole seconds (the word's for the resumed response; also the
 * "now" of conditional requests and {@code Last-Modified}), and everything else in a head or a
 * body is derived from the request, the configuration (the standby must run the same) and the
 * file's identity (a file changed in between makes the queued region fail and the connection
 * reset, as on the primary). The {@code /status} and {@code /metrics} bodies are not: a takeover
 * in the middle of one produces the standby's figures, possibly of another length, and the client
 * gets a corrupt page; accepted, they are small and are normally queued whole in one callback. A
 * connection whose FIN was queued (FIN-WAIT, CLOSING, LAST-ACK, TIME-WAIT) only discards input
 * until the peer's FIN, as after any last response. Timers start again at adoption. An adopted
 * connection keeps its role, beyond {@link ServerConfig#maxConnections()} if need be: it is served
 * (and counted among the active) unless the primary was answering it 503.
 *
 * <h2>Timeouts</h2>
 * Each connection keeps one application timer ({@link TcpConnection#appDeadline}; the time of a
 * callback is {@link TcpConnection#now()}). Waiting for a request (from the connection's start, or
 * from when the last response was all in the send queue) longer than
 * {@link ServerConfig#idleTimeout()} half-closes the connection without a response; a request
 * whose first byte came more than {@link ServerConfig#headerTimeout()} ago and whose head is still
 * incomplete gets 408 with {@code Connection: close}. A body has no timeout once its head is in,
 * nor does a response being queued. A half-closed connection waits at most
 * {@code idleTimeout} for the peer's FIN, then closes. A zero duration disables its timeout.
 *
 * <h2>Closing</h2>
 * After a response that ends the connection ({@code Connection: close}, HTTP/1.0 without
 * keep-alive, a decoder error, a 503 beyond {@link ServerConfig#maxConnections()}), the server
 * half-closes (FIN after the queued response), then reads and discards what still comes and
 * closes when the peer's FIN arrives: closing at once with unread bytes would send a RST that
 * could destroy the response before the client read it.
 *
 * <h2>Endpoints</h2>
 * <ul>
 *   <li>{@code POST /echo}: 200 with the request's content, {@code application/octet-stream}
 *       (buffered by the decoder, up to {@link Limits#maxBody()}); other methods 405.</li>
 *   <li>{@code GET|HEAD /bytes/N[?seed=S]}: N (at most {@value #MAX_GENERATED}) bytes of
 *       {@link SeededBytes} for seed S (default 0), generated as the send queue takes them.</li>
 *   <li>everything else: a file of the document root (GET, HEAD; other methods 405), with
 *       conditional requests (304, 412) and single byte ranges (206, 416); 404 without a root.</li>
 * </ul>
 * <ul>
 *   <li>{@code GET|HEAD /status} (JSON) and {@code GET|HEAD /metrics} (Prometheus text), when
 *       installed with a {@link StatusSource}: see {@link Introspection}; other methods 405.</li>
 * </ul>
 * The built-in paths shadow files of the same name. Each response is logged to the access log
 * ({@link AccessLog}, Common Log Format) when its logger is enabled.
 *
 * <p>Not done: no timeout on a slowly arriving body (only on the head).
 * Resolving a path makes blocking file-system calls on the stack thread: one {@code stat} for a
 * path resolved recently to a file that has not changed ({@link ResolutionCache}), a full
 * {@link DocumentRoot#resolve} otherwise.
 */
public final class HttpServer {
    /** The {@code Server} field value. */
    public static final String SERVER = "understudy";
    /** The largest {@code /bytes/N}. */
    public static final long MAX_GENERATED = 1L << 30;
    static final int BACKLOG = 128;
    static final int READ_BUFFER = 64 * 1024;
    static final int GENERATE_CHUNK = 64 * 1024;
    /** Files are queued as regions of at most this many bytes, well under the send queue's bound. */
    static final long FILE_REGION_CHUNK = 64L << 20;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String OCTETS = "application/octet-stream";
    private static final BodySink DISCARD = data -> data.position(data.limit());

    /** Resume word: its low 40 bits are the epoch second of the response's {@code Date}, with {@link #WORD_DATE}. */
    static final long WORD_SECONDS = (1L << 40) - 1;
    /** Resume word: the response being produced was built, dated {@code word & WORD_SECONDS}. */
    static final long WORD_DATE = 1L << 40;
    /** Resume word: the output being produced is the 503 of a connection beyond {@link ServerConfig#maxConnections()}. */
    static final long WORD_REJECT = 1L << 41;
    /** Resume word: the output being produced is the 408 of a header timeout. */
    static final long WORD_TIMEOUT = 1L << 42;

    /**
     * Where a connection peeks received bytes to decode them: one for the whole server (it runs on
     * the stack thread), emptied at the end of each callback, so an idle connection holds none.
     */
    private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER).limit(0);
    private final ServerConfig config;
    /** Request paths to files, each checked again with one stat; null without a document root. */
    private ResolutionCache resolutions;
    private int active;
    private long accepted;
    private long rejected;
    private long responses;
    /** Where response dates come from (whole seconds are used). */
    private InstantSource wallClock = InstantSource.system();
    /** The largest file region queued as one descriptor. */
    private long fileRegionChunk = FILE_REGION_CHUNK;

    // Per-server scratch state for building responses. Everything below is used only on the
    // stack thread, and only within one callback of one connection at a time (a response is
    // built and queued, and its head written to the send queue, in the same callback), so one
    // of each serves every connection and an idle connection holds none of it.
    /** The response being built (one at a time: {@link Response#reset} starts the next). */
    private final Response response = new Response();
    /**
     * The head of the response just queued, as bytes. A connection's {@code out} refers to it
     * only until the end of the callback that queued it: {@link Connection#detachHead} copies
     * whatever the send queue did not take before the next connection (or callback) reuses it.
     */
    private BytesPart headPart = new BytesPart(ByteBuffer.allocate(1024).limit(0));
    /** Where {@code /bytes/N} is generated, a send queue's worth at a time; written out in the same call. */
    private final byte[] generated = new byte[GENERATE_CHUNK];
    /** The {@code Date} of responses in second {@link #dateSecond}: formatting it once a second is enough. */
    private long dateSecond = Long.MIN_VALUE;
    private Instant dateInstant;
    private String dateText;
    /** What a response says about a file, by real path; see {@link FileFacts}. */
    private final FileFacts.Cache files = new FileFacts.Cache(FileFacts.CACHE_ENTRIES);

    private HttpServer(ServerConfig config, DocumentRoot root) {
        this.config = config;
        this.resolutions = root == null ? null : new ResolutionCache(root);
    }

    /** Listens on {@code port} of {@code tcp}; call on the stack thread. */
    public static HttpServer install(TcpLayer tcp, int port, ServerConfig config) throws IOException {
        DocumentRoot root = config.documentRoot() == null ? null : DocumentRoot.of(config.documentRoot());
        HttpServer server = new HttpServer(config, root);
        tcp.listen(port, BACKLOG, server::accept);
        return server;
    }

    /** As {@link #install(TcpLayer, int, ServerConfig)}, also serving {@code /status} and {@code /metrics} from {@code status}. */
    public static HttpServer install(TcpLayer tcp, int port, ServerConfig config, StatusSource status)
            throws IOException {
        HttpServer server = install(tcp, port, config);
        server.introspection = new Introspection(status);
        return server;
    }

    /** The configuration. */
    public ServerConfig config() {
        return config;
    }

    /** Connections being served now (stack thread). */
    public int activeConnections() {
        return active;
    }

    /** Connections accepted and served so far (stack thread). */
    public long acceptedConnections() {
        return accepted;
    }

    /** Connections answered 503 because {@link ServerConfig#maxConnections()} were being served (stack thread). */
    public long rejectedConnections() {
        return rejected;
    }

    /** Responses queued so far, 503s and error pages included (stack thread). */
    public long responses() {
        return responses;
    }

    /** Replaces the clock that dates responses (tests: fixed dates, or a standby in another second). Stack thread. */
    void wallClock(InstantSource clock) {
        this.wallClock = clock;
    }

    /**
     * Compares the timestamps of files with {@code clock} when deciding whether a resolution may
     * be kept (tests: a clock ahead, so that files just written are kept; see
     * {@link ResolutionCache}). Forgets what was kept. Stack thread.
     */
    void fileTimestampClock(InstantSource clock) {
        if (resolutions != null) {
            resolutions = new ResolutionCache(resolutions.root(), ResolutionCache.DEFAULT_ENTRIES, clock);
        }
    }

    /** The document root's resolutions (tests: hits and misses); null without a root. */
    ResolutionCache resolutions() {
        return resolutions;
    }

    /**
     * Replaces {@link #FILE_REGION_CHUNK} (tests: small regions, so a file response outgrows the
     * send queue's descriptor bound and waits in the connection). Stack thread.
     */
    void fileRegionChunk(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("region chunk " + bytes);
        }
        this.fileRegionChunk = bytes;
    }

    /** The listener's accept handler: a handler for {@code c}, counted against the connection cap. */
    TcpHandler accept(TcpConnection c) {
        if (active >= config.maxConnections()) {
            rejected++;
            return new Connection(true);
        }
        active++;
        accepted++;
        return new Connection(false);
    }

    /** {@code second} as an Instant, cached with its HTTP-date for the second last asked (stack thread). */
    private Instant date(long second) {
        if (second != dateSecond) {
            dateInstant = Instant.ofEpochSecond(second);
            dateText = HttpDate.format(dateInstant);
            dateSecond = second;
        }
        return dateInstant;
    }

    /** The HTTP-date of {@code date}, a whole second (cached like {@link #date(long)}). */
    private String dateText(Instant date) {
        return date(date.getEpochSecond()) == date ? dateText : HttpDate.format(date);
    }

    // ---------------------------------------------------------------- response parts

    /**
     * A piece of a response waiting to be queued. Its bytes are a pure function of how it was
     * built, so a standby that builds the same response again can {@linkplain #skip skip} what
     * the primary had queued already.
     */
    interface Part {
        /** Queues as much as the send queue takes; true when all of it is queued. */
        boolean writeTo(TcpConnection c);

        /** Bytes not yet queued. */
        long remaining();

        /** Drops the next {@code min(n, remaining())} bytes without queueing them; returns how many. */
        long skip(long n);
    }

    /** Literal bytes, position to limit. */
    record BytesPart(ByteBuffer bytes) implements Part {
        @Override
        public boolean writeTo(TcpConnection c) {
            c.write(bytes);
            return !bytes.hasRemaining();
        }

        @Override
        public long remaining() {
            return bytes.remaining();
        }

        @Override
        public long skip(long n) {
            int k = (int) Math.min(n, bytes.remaining());
            bytes.position(bytes.position() + k);
            return k;
        }

        /** A part of its own holding a copy of the bytes not yet queued. */
        BytesPart copy() {
            ByteBuffer rest = ByteBuffer.allocate(bytes.remaining());
            rest.put(bytes.duplicate()).flip();
            return new BytesPart(rest);
        }
    }

    /** A region of a file, queued whole as one descriptor (skipping advances the region's start). */
    static final class FilePart implements Part {
        private FileRegion region;

        FilePart(FileRegion region) {
            this.region = region;
        }

        /** The region still to queue. */
        FileRegion region() {
            return region;
        }

        @Override
        public boolean writeTo(TcpConnection c) {
            return region.length() == 0 || c.writeFile(region);
        }

        @Override
        public long remaining() {
            return region.length();
        }

        @Override
        public long skip(long n) {
            long k = Math.min(n, region.length());
            if (k > 0) {
                region = new FileRegion(region.path(), region.size(), region.lastModifiedNanos(), region.inode(),
                        region.offset() + k, region.length() - k);
            }
            return k;
        }
    }

    /** {@code /bytes/N}: generated into a scratch buffer, only as much as the send queue has room for. */
    static final class GeneratedPart implements Part {
        private final long seed;
        private final long end;
        private long position;
        /** Filled and written out within one {@link #writeTo}; may be shared (the server's). */
        private final byte[] scratch;

        GeneratedPart(long seed, long length) {
            this(seed, length, new byte[GENERATE_CHUNK]);
        }

        /** {@code scratch}: where to generate; only used during {@link #writeTo}, so one can serve every part. */
        GeneratedPart(long seed, long length, byte[] scratch) {
            this.seed = seed;
            this.end = length;
            this.scratch = scratch;
        }

        /** The offset in the generated stream of the next byte to queue. */
        long position() {
            return position;
        }

        @Override
        public boolean writeTo(TcpConnection c) {
            while (position < end) {
                int room = c.writable();
                if (room == 0) {
                    return false; // onWritable follows when space opens
                }
                int n = (int) Math.min(Math.min(room, scratch.length), end - position);
                SeededBytes.fill(seed, position, scratch, 0, n);
                int taken = c.write(scratch, 0, n);
                position += taken;
                if (taken < n) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public long remaining() {
            return end - position;
        }

        @Override
        public long skip(long n) {
            long k = Math.min(n, end - position);
            position += k;
            return k;
        }
    }

    /**
     * Drops the first {@code n} bytes of {@code parts} (whole parts that fall entirely within
     * them are removed); returns how many of the {@code n} bytes were not there to drop.
     */
    static long skip(ArrayDeque<Part> parts, long n) {
        while (n > 0 && !parts.isEmpty()) {
            Part p = parts.peekFirst();
            n -= p.skip(n);
            if (p.remaining() == 0) {
                parts.pollFirst();
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- connections

    /** {@code /status} and {@code /metrics}; null when installed without a {@link StatusSource}. */
    private Introspection introspection;

    private final class Connection implements TcpHandler {
        /** For the access log: the peer's address and the request being answered (null: none decoded). */
        private int remoteIp;
        private RequestHead logged;
        /** Answered 503 (beyond {@link ServerConfig#maxConnections()}); not counted in {@link #active}. */
        private boolean reject;
        private final RequestDecoder decoder = new RequestDecoder(config.limits());
        /**
         * Bytes peeked and not yet decoded, in read mode; its position is receive-queue offset
         * {@link #fed}: the bytes before it (this request's, so far) are in the queue, and in
         * the decoder's state.
         */
        /** The server's peek buffer (see {@link HttpServer#in}); empty between callbacks. */
        private final ByteBuffer in = HttpServer.this.in;
        private final ArrayDeque<Part> out = new ArrayDeque<>();
        /** Bytes at the head of the receive queue already fed to the decoder (the request so far). */
        private int fed;
        /** The response being queued is the last: half-close once it is queued. */
        private boolean closeAfter;
        /** The FIN is queued; input is discarded until the peer's FIN. */
        private boolean outputDone;
        private boolean started;
        private boolean closed;
        /** A byte of the current request was seen, at {@link #requestStart}. */
        private boolean requestStarted;
        private long requestStart;
        /** The current request's head is complete: no header timeout for its body. */
        private boolean headDone;
        /** Since when the connection waits for a request (its start, or its last response all queued). */
        private long idleSince;
        /** A response was queued and is not yet all in the send queue: idleness starts when it is. */
        private boolean responsePending;
        /** When a half-closed connection gives up waiting for the peer's FIN. */
        private long lingerUntil = TcpConnection.NO_DEADLINE;

        // Resumption (see the class comment). Receive and send positions are stream offsets.
        /**
         * Where the request being answered (until its response is all in the send queue) or else
         * being decoded began: the resume mark's receive offset.
         */
        private long requestOffset;
        /**
         * Where the current request's output began (its 100 Continue, else its response), from
         * when its first part waits in {@link #out} until its response is all in the send queue;
         * -1 otherwise: the resume mark's send offset.
         */
        private long outputStart = -1;
        /** The epoch second in the {@code Date} of the response being produced; -1 before it is built. */
        private long responseSecond = -1;
        /** The response being produced is the 408 of a header timeout (not a function of the input). */
        private boolean timedOut;
        /** The resume mark as last set; {@code markSet} false: never set (the stack's default). */
        private boolean markSet;
        private long markReceive;
        private long markSend;
        private long markWord;
        /**
         * Adopted: received bytes the primary had consumed after its mark, decoded before the
         * receive queue (position to limit); null when there are none left.
         */
        private ByteBuffer replay;
        /** The stream offset of {@code replay}'s index 0. */
        private long replayBase;
        /** Adopted: bytes of the output being produced again that the primary had queued already. */
        private long skip;
        /** Adopted: the {@code Date} second of the response the primary was producing, -1 if none. */
        private long resumeSecond = -1;

        Connection(boolean reject) {
            this.reject = reject;
        }

        @Override
        public void onConnected(TcpConnection c) {
            start(c);
            process(c);
        }

        /**
         * A standby took this connection over. The queues are as the primary left them at its
         * last replicated batch; {@code resume} holds the consumed part of the request at the
         * primary's mark and how much of that request's output is queued already. The connection
         * starts again at that request: the replayed bytes are decoded first, then the receive
         * queue, and the first {@code sendSkip} bytes of what that request produces (100
         * Continue, head, body) are dropped, its {@code Date} taken from the mark's word, so the
         * client sees the bytes it would have seen. A connection whose FIN was queued only waits
         * for the peer's.
         */
        @Override
        public void onAdopted(TcpConnection c, Resume resume) {
            long word = resume.word();
            boolean finQueued = finQueued(c);
            boolean producing = resume.sendSkip() >= 0 && !finQueued;
            // The primary accepted this connection: keep its role whatever this server's load.
            boolean wasRejected = producing && (word & WORD_REJECT) != 0;
            if (wasRejected != reject) {
                if (reject) {
                    rejected--;
                    active++;
                    accepted++;
                } else {
                    active--;
                    accepted--;
                    rejected++;
                }
                reject = wasRejected;
            }
            started = true;
            remoteIp = c.tuple().remoteIp();
            idleSince = c.now();
            c.noDelay(true);
            // Whatever mark the connection carries (a takeover leaves one at the consumed point), mark() sets ours.
            markSet = true;
            markReceive = Long.MIN_VALUE;
            ByteBuffer replayed = resume.replay();
            requestOffset = c.receiveOffset() - replayed.remaining();
            if (finQueued) {
                closeAfter = true;
                outputDone = true; // the response and the FIN are in the send queue: just discard, await the FIN
            } else {
                if (replayed.hasRemaining()) {
                    replay = replayed;
                    replayBase = requestOffset - replayed.position();
                }
                if (producing) {
                    outputStart = c.sendOffset() - resume.sendSkip();
                    skip = resume.sendSkip();
                    if ((word & WORD_DATE) != 0) {
                        resumeSecond = word & WORD_SECONDS;
                    }
                    if (reject) {
                        queue(response(503, false, false).page(false));
                    } else if ((word & WORD_TIMEOUT) != 0) {
                        timeout();
                    }
                }
            }
            process(c);
        }

        @Override
        public void onReadable(TcpConnection c) {
            start(c);
            process(c);
        }

        @Override
        public void onWritable(TcpConnection c) {
            process(c);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            start(c);
            process(c);
        }

        @Override
        public void onAppTimer(TcpConnection c, long now) {
            if (closed) {
                return;
            }
            if (outputDone) {
                if (lingerUntil != TcpConnection.NO_DEADLINE && now - lingerUntil >= 0) {
                    discardInput(c);
                    c.close(); // the peer never sent its FIN
                    return;
                }
            } else if (out.isEmpty() && !headDone) {
                if (requestStarted) {
                    if (!config.headerTimeout().isZero() && now - (requestStart + nanos(config.headerTimeout())) >= 0) {
                        timeout();
                    }
                } else if (!config.idleTimeout().isZero() && now - (idleSince + nanos(config.idleTimeout())) >= 0) {
                    closeAfter = true; // nothing to answer: just the FIN
                }
            }
            process(c);
        }

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
            if (closed) {
                return;
            }
            closed = true;
            out.clear();
            replay = null;
            if (!reject) {
                active--;
            }
        }

        private void start(TcpConnection c) {
            if (started) {
                return;
            }
            started = true;
            remoteIp = c.tuple().remoteIp();
            idleSince = c.now();
            c.noDelay(true); // whole responses are queued at once: nothing to coalesce
            if (reject) {
                queue(response(503, false, false).page(false));
            }
        }

        /** The header timeout's 408: the request so far is dropped, the connection ends. */
        private void timeout() {
            timedOut = true;
            queue(response(408, false, false).page(false));
        }

        /**
         * Queues what waits, then decodes and answers requests until the input runs out or the
         * send queue is full; then sets the timer and the resume mark.
         */
        private void process(TcpConnection c) {
            try {
                decodeAndAnswer(c);
            } finally {
                detachHead();
                // Peeked bytes not decoded yet stay in the receive queue (at offset fed): the
                // buffer is the server's, shared by every connection.
                in.limit(0);
            }
            if (!closed) {
                arm(c);
                mark(c);
            }
        }

        private void decodeAndAnswer(TcpConnection c) {
            while (!closed) {
                if (!pump(c)) {
                    return; // backpressure: onWritable resumes
                }
                if (responsePending) {
                    responseQueued(c);
                }
                if (outputDone) {
                    discardInput(c);
                    if (c.peerFinReceived()) {
                        c.close();
                    }
                    return;
                }
                ByteBuffer src;
                if (replay != null && replay.hasRemaining()) {
                    src = replay; // consumed on the primary: decoded again, never consumed again
                } else {
                    replay = null;
                    if (!in.hasRemaining()) {
                        in.clear();
                        int n = c.peek(fed, in);
                        in.flip();
                        if (n == 0) {
                            if (c.peerFinReceived()) {
                                discardInput(c); // the peer is done; any partial request is dropped
                                c.close();
                            }
                            return;
                        }
                    }
                    src = in;
                }
                if (!requestStarted) {
                    // Bytes of a new request (also pipelined ones peeked with the last): its head timeout runs.
                    requestStarted = true;
                    requestStart = c.now();
                }
                int decoded = decoder.feed(src);
                if (src == in) {
                    fed += decoded;
                }
                switch (decoder.status()) {
                    case NEED_MORE -> {
                        if (fed >= streamThreshold(c)) {
                            // Too big to wait whole in the receive queue: stream it (see the class note).
                            c.consume(fed);
                            fed = 0;
                        }
                    }
                    case HEAD_READY -> {
                        headDone = true;
                        onHead(decoder.head());
                    }
                    case REQUEST_READY -> {
                        Request request = decoder.request();
                        decoder.next();
                        // The request's bytes leave the queue in the callback that queues its response.
                        c.consume(fed);
                        fed = 0;
                        requestStarted = false;
                        headDone = false;
                        respond(request);
                    }
                    case ERROR -> {
                        DecodeError e = decoder.error();
                        queue(response(e.status(), false, false).page(false));
                    }
                }
            }
        }

        /** The current response is all in the send queue: the next request's turn. */
        private void responseQueued(TcpConnection c) {
            responsePending = false;
            idleSince = c.now();
            outputStart = -1;
            responseSecond = -1;
            timedOut = false;
            skip = 0; // whatever was left of it belonged to this response (only short if it was not reproducible)
            requestOffset = decodedOffset(c);
        }

        /** The stream offset of the next received byte the decoder takes. */
        private long decodedOffset(TcpConnection c) {
            return replay != null ? replayBase + replay.position() : c.receiveOffset() + fed;
        }

        /**
         * Sets the resume mark for the state this callback leaves, if it changed: the start of
         * the request being answered or decoded, where its output began (while it is produced)
         * and the word that makes that output again byte for byte. Once the FIN is queued the
         * queues say everything. Nothing is set while the state never needed a mark.
         */
        private void mark(TcpConnection c) {
            long receive;
            long send;
            long word;
            if (outputDone) {
                receive = c.receiveOffset();
                send = -1;
                word = 0;
            } else {
                receive = requestOffset;
                send = outputStart;
                word = send < 0 ? 0 : resumeWord(reject, timedOut, responseSecond >= 0 ? responseSecond : resumeSecond);
            }
            // At the consumed point, producing nothing: no mark (the stack's then follows the
            // consumed point; a later callback that consumes past a request start sets it again
            // while those bytes are still in the receive ring, so the stack can keep them).
            boolean follow = receive == c.receiveOffset() && send < 0 && word == 0;
            if (follow ? !markSet : markSet && receive == markReceive && send == markSend && word == markWord) {
                return;
            }
            if (follow) {
                c.clearResumeMark();
                markSet = false;
                return;
            }
            c.resumeMark(receive, send, word);
            markSet = true;
            markReceive = receive;
            markSend = send;
            markWord = word;
        }

        /** Sets the connection's application timer for the state it is in now. */
        private void arm(TcpConnection c) {
            long deadline = TcpConnection.NO_DEADLINE;
            if (outputDone) {
                if (lingerUntil == TcpConnection.NO_DEADLINE && !config.idleTimeout().isZero()) {
                    lingerUntil = c.now() + nanos(config.idleTimeout());
                }
                deadline = lingerUntil;
            } else if (!out.isEmpty() || closeAfter || headDone) {
                deadline = TcpConnection.NO_DEADLINE; // a response is being queued, or a body arrives
            } else if (requestStarted) {
                if (!config.headerTimeout().isZero()) {
                    deadline = requestStart + nanos(config.headerTimeout());
                }
            } else if (!config.idleTimeout().isZero()) {
                deadline = idleSince + nanos(config.idleTimeout());
            }
            c.appDeadline(deadline);
        }

        /**
         * Queues the waiting parts in order (after an adoption, first dropping what the primary
         * had queued); true when none is left. After the last response, the FIN.
         */
        private boolean pump(TcpConnection c) {
            if (!out.isEmpty()) {
                if (outputStart < 0) {
                    outputStart = c.sendOffset();
                }
                if (skip > 0) {
                    skip = HttpServer.skip(out, skip);
                }
            }
            while (!out.isEmpty()) {
                if (!out.peekFirst().writeTo(c)) {
                    return false;
                }
                out.pollFirst();
            }
            if (closeAfter && !outputDone) {
                outputDone = true;
                c.shutdownOutput();
            }
            return true;
        }

        private void discardInput(TcpConnection c) {
            c.consume(c.readable());
            in.limit(0);
            fed = 0;
            replay = null;
        }

        /** Content follows: only {@code POST /echo} keeps it (with 100 Continue if asked); the rest is skipped. */
        private void onHead(RequestHead head) {
            if (head.method().equals("POST") && "/echo".equals(path(head.target(), head.targetForm()))) {
                if (head.expectContinue()) {
                    out.addLast(new BytesPart(ByteBuffer.wrap(CONTINUE)));
                }
            } else {
                decoder.streamBody(DISCARD);
            }
        }

        /**
         * The date of the response being built: the mark's for the first response after an
         * adoption (the one the primary was producing), else now, to the second. The same for
         * every call until the response is all queued.
         */
        private Instant responseDate() {
            if (responseSecond < 0) {
                if (resumeSecond >= 0) {
                    responseSecond = resumeSecond;
                    resumeSecond = -1;
                } else {
                    responseSecond = Math.floorDiv(wallClock.millis(), 1000L);
                }
            }
            return date(responseSecond);
        }

        /** The response being built, dated by {@link #responseDate()}. */
        private Response response(int status, boolean keepAlive, boolean http10) {
            Instant date = responseDate();
            return response.reset(status, keepAlive, http10, dateText(date));
        }

        /**
         * Ends the use of the server's {@link HttpServer#headPart} by this connection: if the head
         * queued last is still waiting in {@link #out} (the send queue did not take all of it),
         * it is replaced, in place, by a copy of what is left of it.
         */
        private void detachHead() {
            BytesPart shared = headPart;
            for (int i = out.size(); i > 0; i--) { // one turn of the queue keeps the order
                Part p = out.pollFirst();
                out.addLast(p == shared ? shared.copy() : p);
            }
        }

        private void queue(Response r) {
            responses++;
            if (AccessLog.LOG.isInfoEnabled()) { // access log: the line is built only when enabled
                AccessLog.LOG.info(AccessLog.format(Ipv4Address.toString(remoteIp), Instant.now(),
                        logged == null ? null : AccessLog.requestLine(logged), r.status, r.body.isEmpty() ? 0 : r.length));
            }
            logged = null;
            responsePending = true;
            detachHead(); // never two heads in the one buffer (does nothing as responses are queued)
            headPart = r.writeHead(headPart);
            out.addLast(headPart);
            out.addAll(r.body);
            if (!r.keepAlive) {
                closeAfter = true;
            }
        }

        // ------------------------------------------------------------ routing

        private void respond(Request request) {
            RequestHead head = request.head();
            logged = head;
            String method = head.method();
            boolean isHead = method.equals("HEAD");
            boolean keep = head.keepAlive();
            boolean http10 = head.version() == HttpVersion.HTTP_1_0;
            if (head.targetForm() == TargetForm.ASTERISK) { // OPTIONS *
                Response r = response(200, keep, http10);
                r.field("Allow", "GET, HEAD, POST").empty();
                queue(r);
                return;
            }
            String target = pathAndQuery(head.target(), head.targetForm());
            if (target == null) { // CONNECT
                queue(response(405, keep, http10).field("Allow", "GET, HEAD").page(false));
                return;
            }
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? null : target.substring(q + 1);

            if (path.equals("/echo")) {
                if (!method.equals("POST")) {
                    queue(response(405, keep, http10).field("Allow", "POST").page(isHead));
                    return;
                }
                Response r = response(200, keep, http10).field("Content-Type", OCTETS);
                r.bytes(request.body(), false);
                queue(r);
            } else if (path.startsWith("/bytes/")) {
                bytes(path, "/bytes/".length(), query, method, keep, http10);
            } else if (introspection != null && Introspection.serves(path)) { // /status, /metrics: Introspection
                if (!method.equals("GET") && !isHead) {
                    queue(response(405, keep, http10).field("Allow", "GET, HEAD").page(false));
                    return;
                }
                Introspection.Page page = introspection.render(path, HttpFigures.of(HttpServer.this));
                queue(response(200, keep, http10).field("Content-Type", page.contentType())
                        .field("Cache-Control", "no-store").bytes(page.body(), isHead));
            } else if (!method.equals("GET") && !isHead) {
                queue(response(405, keep, http10).field("Allow", "GET, HEAD").page(false));
            } else if (resolutions == null) {
                queue(response(404, keep, http10).page(isHead));
            } else {
                file(request, path, query, isHead, keep, http10);
            }
        }

        /** {@code /bytes/N}: the count N is {@code path} from {@code countAt}. */
        private void bytes(String path, int countAt, String query, String method, boolean keep, boolean http10) {
            boolean isHead = method.equals("HEAD");
            if (!method.equals("GET") && !isHead) {
                queue(response(405, keep, http10).field("Allow", "GET, HEAD").page(false));
                return;
            }
            long n = digits(path, countAt);
            if (n < 0) {
                queue(response(404, keep, http10).page(isHead));
                return;
            }
            Long seed = seed(query);
            if (n > MAX_GENERATED || seed == null) {
                queue(response(400, keep, http10).page(isHead));
                return;
            }
            Response r = response(200, keep, http10).field("Content-Type", OCTETS);
            r.length(n);
            if (!isHead && n > 0) {
                r.body.add(new GeneratedPart(seed, n, generated));
            }
            queue(r);
        }

        private void file(Request request, String path, String query, boolean isHead, boolean keep, boolean http10) {
            DocumentRoot.Resolution resolution = resolutions.resolve(path);
            if (resolution instanceof DocumentRoot.Found found) {
                serveFile(request, found.file(), isHead, keep, http10);
            } else if (resolution instanceof DocumentRoot.Redirect redirect) {
                String location = query == null ? redirect.location() : redirect.location() + "?" + query;
                Response r = response(301, keep, http10).field("Location", location);
                r.html(StatusPages.redirect(301, location), isHead);
                queue(r);
            } else {
                queue(response(resolution.status(), keep, http10).page(isHead));
            }
        }

        private void serveFile(Request request, FileIdentity file, boolean isHead, boolean keep, boolean http10) {
            Headers h = request.headers();
            String method = request.method();
            Instant now = responseDate();
            FileFacts facts = files.of(file);
            String ifMatch = h.joined("If-Match");
            String ifNoneMatch = h.joined("If-None-Match");
            String ifModifiedSince = h.first("If-Modified-Since");
            String ifUnmodifiedSince = h.first("If-Unmodified-Since");
            Conditional.Outcome outcome = ifMatch == null && ifNoneMatch == null && ifModifiedSince == null
                    && ifUnmodifiedSince == null
                    ? Conditional.Outcome.PROCEED // no precondition field: nothing to evaluate
                    : Conditional.evaluate(new Conditional.Request(method, ifMatch, ifNoneMatch, ifModifiedSince,
                            ifUnmodifiedSince), facts.etag(), facts.lastModifiedSecond(), now);
            String etag = facts.etag();
            String lastModified = facts.lastModifiedHttpDate(now);
            if (outcome == Conditional.Outcome.NOT_MODIFIED) {
                queue(response(304, keep, http10).field("ETag", etag).field("Last-Modified", lastModified)
                        .noLength());
                return;
            }
            if (outcome == Conditional.Outcome.PRECONDITION_FAILED) {
                queue(response(412, keep, http10).page(isHead));
                return;
            }
            RangeRequest.Result range = RangeRequest.evaluate(method, h.first("Range"), h.first("If-Range"),
                    file.size(), etag, facts.lastModifiedSecond());
            if (range instanceof RangeRequest.Unsatisfiable u) {
                queue(response(416, keep, http10).field("Content-Range", u.contentRange()).page(isHead));
                return;
            }
            long offset = 0;
            long length = file.size();
            Response r;
            if (range instanceof RangeRequest.Partial p) {
                offset = p.offset();
                length = p.length();
                r = response(206, keep, http10).field("Content-Range", p.contentRange());
            } else {
                r = response(200, keep, http10);
            }
            r.field("Content-Type", facts.contentType()).field("Accept-Ranges", "bytes")
                    .field("ETag", etag).field("Last-Modified", lastModified).length(length);
            if (!isHead) {
                if (offset == 0 && length == file.size() && length <= fileRegionChunk) {
                    r.body.add(new FilePart(facts.wholeFile())); // the common case: one region, the same for every response
                } else {
                    for (long at = offset, end = offset + length; at < end; at += fileRegionChunk) {
                        long n = Math.min(fileRegionChunk, end - at);
                        r.body.add(new FilePart(new FileRegion(file.path(), file.size(), file.lastModifiedNanos(),
                                file.inode(), at, n)));
                    }
                }
            }
            queue(r);
        }
    }

    // ---------------------------------------------------------------- responses

    /**
     * A response being built: status line and fields, then the body parts. The server has one,
     * {@linkplain #reset reset} for each response (stack thread); its body parts are moved to
     * the connection's queue and its head written out by {@link #writeHead} when it is queued.
     */
    private static final class Response {
        int status;
        boolean keepAlive;
        boolean http10;
        final StringBuilder fields = new StringBuilder(256);
        /** Where {@link #writeHead} puts the whole head together. */
        private final StringBuilder text = new StringBuilder(512);
        final List<Part> body = new ArrayList<>(2);
        private long length;

        /**
         * Starts a new response. {@code http10}: the request was HTTP/1.0, so keeping the
         * connection must be said ({@code Connection: keep-alive}); {@code date}: the
         * {@code Date} value.
         */
        Response reset(int status, boolean keepAlive, boolean http10, String date) {
            this.status = status;
            this.keepAlive = keepAlive;
            this.http10 = http10;
            this.length = -1;
            fields.setLength(0);
            body.clear();
            field("Date", date);
            field("Server", SERVER);
            return this;
        }

        Response field(String name, String value) {
            fields.append(name).append(": ").append(value).append("\r\n");
            return this;
        }

        Response length(long n) {
            length = n;
            return this;
        }

        /** No Content-Length at all (304). */
        Response noLength() {
            length = -2;
            return this;
        }

        /** The status page for this status, its body only when {@code headersOnly} is false. */
        Response page(boolean headersOnly) {
            return html(StatusPages.body(status), headersOnly);
        }

        Response html(byte[] page, boolean headersOnly) {
            if (page.length > 0) {
                field("Content-Type", StatusPages.CONTENT_TYPE);
            }
            return bytes(page, headersOnly);
        }

        Response bytes(byte[] content, boolean headersOnly) {
            length = content.length;
            if (!headersOnly && content.length > 0) {
                body.add(new BytesPart(ByteBuffer.wrap(content)));
            }
            return this;
        }

        Response empty() {
            length = 0;
            return this;
        }

        /**
         * Writes the head into {@code into}'s buffer from index 0 (ISO-8859-1, as its readable
         * bytes); returns {@code into}, or a new, bigger part when the head does not fit.
         */
        BytesPart writeHead(BytesPart into) {
            text.setLength(0);
            appendHead(text);
            int size = text.length();
            ByteBuffer b = into.bytes();
            if (b.capacity() < size) {
                into = new BytesPart(ByteBuffer.allocate(Math.max(size, b.capacity() * 2)));
                b = into.bytes();
            }
            b.clear();
            for (int i = 0; i < size; i++) {
                char c = text.charAt(i);
                b.put(c <= 0xFF ? (byte) c : (byte) '?'); // as String.getBytes(ISO_8859_1) would
            }
            b.flip();
            return into;
        }

        private void appendHead(StringBuilder b) {
            b.append("HTTP/1.1 ").append(status).append(' ').append(Reasons.phrase(status)).append("\r\n");
            b.append(fields);
            if (length >= 0) {
                b.append("Content-Length: ").append(length).append("\r\n");
            }
            if (!keepAlive) {
                b.append("Connection: close\r\n");
            } else if (http10) {
                b.append("Connection: keep-alive\r\n");
            }
            b.append("\r\n");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The path of a target in origin or absolute form (no query); null for authority form. */
    static String path(String target, TargetForm form) {
        String t = pathAndQuery(target, form);
        if (t == null) {
            return null;
        }
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }

    /** {@code /path?query} of an origin- or absolute-form target; null for authority and asterisk form. */
    static String pathAndQuery(String target, TargetForm form) {
        return switch (form) {
            case ORIGIN -> target;
            case ABSOLUTE -> {
                int scheme = target.indexOf("://");
                int slash = target.indexOf('/', scheme + 3);
                int question = target.indexOf('?', scheme + 3);
                if (slash < 0 || (question >= 0 && question < slash)) {
                    yield question < 0 ? "/" : "/" + target.substring(question);
                }
                yield target.substring(slash);
            }
            case AUTHORITY, ASTERISK -> null;
        };
    }

    /** A decimal count of at most 18 digits; -1 if not. */
    static long digits(String s) {
        return digits(s, 0);
    }

    /** {@link #digits(String)} of {@code s} from index {@code from} on. */
    static long digits(String s, int from) {
        int length = s.length() - from;
        if (length <= 0 || length > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            n = n * 10 + (ch - '0');
        }
        return n;
    }

    /** The {@code seed} parameter of a query (decimal, signed), 0 without one, null if invalid. */
    static Long seed(String query) {
        if (query == null) {
            return 0L;
        }
        for (String param : query.split("&")) {
            if (param.startsWith("seed=")) {
                try {
                    return Long.parseLong(param.substring("seed=".length()));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return 0L;
    }

    /**
     * The resume word for output being produced: the flags, and the {@code Date} second of the
     * response once it is built ({@code dateSecond} ≥ 0).
     */
    static long resumeWord(boolean reject, boolean timedOut, long dateSecond) {
        long word = 0;
        if (reject) {
            word |= WORD_REJECT;
        }
        if (timedOut) {
            word |= WORD_TIMEOUT;
        }
        if (dateSecond >= 0) {
            word |= WORD_DATE | (dateSecond & WORD_SECONDS);
        }
        return word;
    }

    /** Our FIN is queued (or sent): the connection's send side is closed, the response all in the send queue. */
    static boolean finQueued(TcpConnection c) {
        return switch (c.state()) {
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> true;
            default -> false;
        };
    }

    /**
     * Bytes of one request the receive queue holds before the server starts consuming it as it
     * decodes (streaming): half the queue, so the window never closes on a request that is held.
     */
    static int streamThreshold(TcpConnection c) {
        return c.receiveCapacity() / 2;
    }

    private static long nanos(Duration d) {
        return d.toNanos();
    }
}
