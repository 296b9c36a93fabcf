package io.understudy.httpd;

import static io.understudy.httpd.Syntax.CR;
import static io.understudy.httpd.Syntax.LF;
import static io.understudy.httpd.Syntax.SP;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental HTTP/1.1 request decoder (RFC 9112, RFC 9110): bytes in as they arrive from the
 * connection, one {@link Request} out at a time. Pure: no I/O, no threads, no clock; one owner
 * (the stack thread) calls it.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * while (true) {
 *     switch (decoder.decode(in)) {          // consumes from in.position(), advances it
 *         case NEED_MORE -> { return; }         // all of in consumed; wait for more bytes
 *         case HEAD_READY -> { ... }           // content follows: maybe 100 Continue, maybe streamBody(sink)
 *         case REQUEST_READY -> { respond(decoder.request()); decoder.next(); }
 *         case ERROR -> { answer(decoder.error().status()); close(); return; }
 *     }
 * }
 * }</pre>
 * {@code decode} stops right after each complete request, leaving any pipelined bytes that follow
 * in {@code in} (its position marks where the next request starts), so the server can stop after
 * each request and resume with {@link #next()}. Every byte is examined once: a request split at
 * any position, or fed one byte at a time, decodes to the same result at linear cost.
 *
 * <h2>Limits</h2>
 * Checked on every byte as it is scanned ({@link Limits}): memory is bounded by the limits, never
 * by what the peer sends. Request line → 414; header or trailer section bytes or field count → 431;
 * content → 413 (for Content-Length as soon as the header is complete, before any content arrives).
 *
 * <h2>Refused, not guessed (request smuggling, RFC 9112 §11.2)</h2>
 * All 400 unless noted:
 * <ul>
 *   <li>both Content-Length and Transfer-Encoding (RFC 9112 §6.1 lets a server drop Content-Length
 *       and go on; we refuse);</li>
 *   <li>more than one Content-Length field line, even with identical values, and a comma list of
 *       values, even identical ones (RFC 9110 §8.6 allows accepting these; we refuse);</li>
 *   <li>a Content-Length that is not 1*DIGIT (sign, inner whitespace, anything else) or overflows;</li>
 *   <li>Transfer-Encoding in an HTTP/1.0 request; chunked given twice, with parameters, or an empty
 *       list element; any coding other than a single chunked → 501 (as nginx does; RFC 9112 §6.1
 *       says 501 for an unknown coding, §6.3 says 400 when chunked is not final; either refuses);</li>
 *   <li>obs-fold: a field line starting with SP or HTAB, including right after the request line
 *       (RFC 9112 §5.2, §2.2);</li>
 *   <li>whitespace between a field name and its colon (RFC 9112 §5.1);</li>
 *   <li>a CR not followed by LF, anywhere; a bare LF as a line terminator anywhere — request line,
 *       header and trailer fields, chunk-size lines and after chunk data. RFC 9112 §2.2 lets a
 *       recipient accept a bare LF in the start line and fields (nginx does); we do not;</li>
 *   <li>NUL anywhere in the head, chunk-size lines or trailers; any CTL other than HTAB (and DEL) in a
 *       field value or chunk extension; any byte outside tchar in a field name. (Content bytes are
 *       opaque: NUL, CR and LF inside chunk data or a Content-Length body are data.)</li>
 *   <li>missing Host in HTTP/1.1, more than one Host, or a Host value that is not an authority
 *       (RFC 9112 §3.2).</li>
 * </ul>
 *
 * <h2>Other choices</h2>
 * <ul>
 *   <li>The request line must be exactly {@code method SP request-target SP HTTP-version} with single
 *       spaces. A version {@code HTTP/d.d} other than 1.0 and 1.1 is 505; so is an HTTP/0.9-style line
 *       ({@code GET /path}, no version). Anything else that is not a version is 400.</li>
 *   <li>The request-target must be made of URI characters (RFC 3986: unreserved, reserved but '#',
 *       valid %HH): no CTLs, spaces, non-ASCII, or {@code "<>\^`{|}}. Asterisk-form only with
 *       OPTIONS; CONNECT only and always with authority-form; absolute-form must have an
 *       authority ({@code scheme://...}), so {@code GET host:80} is 400, not a URI with scheme "host".</li>
 *   <li>Empty lines before a request line are skipped (RFC 9112 §2.2), up to
 *       {@link Limits#maxRequestLine()} bytes of them, then 400.</li>
 *   <li>Content is buffered into {@link Request#body()} unless the caller installs a
 *       {@link BodySink} with {@link #streamBody} at {@link Status#HEAD_READY}; a buffered body grows
 *       as bytes arrive (never preallocated from the declared length) and is bounded by
 *       {@link Limits#maxBody()} and the largest Java array.</li>
 *   <li>Chunk extensions are checked for CTLs and ignored; trailer fields are checked like header
 *       fields, against a fresh header budget, and discarded.</li>
 *   <li>A bad message is sticky: once {@link Status#ERROR}, always ERROR; the decoder consumes no
 *       more bytes and {@link #next()} does not clear it.</li>
 * </ul>
 */
public final class RequestDecoder {
    /** What {@link #decode} produced. */
    public enum Status {
        /** Every input byte was consumed and the current request is not complete yet. */
        NEED_MORE,
        /**
         * The head is complete and content follows: {@link #head()} is valid. The caller may send
         * 100 (Continue) and may {@link #streamBody} before calling {@code decode} again. Reported
         * once per request with content, never for a request without.
         */
        HEAD_READY,
        /** A request is complete: take {@link #request()}, then call {@link #next()}. */
        REQUEST_READY,
        /** The request is malformed or over a limit: see {@link #error()}. Sticky. */
        ERROR
    }

    private enum State {
        REQUEST_LINE, FIELD_LINE, FIXED_BODY, CHUNK_SIZE_LINE, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF,
        TRAILER_LINE, DONE, FAILED
    }

    private static final byte[] NO_BYTES = new byte[0];
    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int INITIAL_LINE = 256;

    private final Limits limits;

    private State state = State.REQUEST_LINE;
    private Status status = Status.NEED_MORE;
    private DecodeError error;

    /** The line being scanned, CR and LF excluded. */
    private byte[] line = new byte[INITIAL_LINE];
    private int lineLength;
    /** The last byte scanned was a CR; only LF may follow. */
    private boolean sawCr;
    /** Bytes of the current header or trailer section so far, terminators included. */
    private int sectionBytes;
    /** Field lines in the current trailer section. */
    private int trailerFields;
    /** Bytes of empty lines skipped before the request line. */
    private int leadingBytes;

    private String method;
    private String target;
    private TargetForm targetForm;
    private HttpVersion version;
    private final List<Headers.Field> fields = new ArrayList<>();
    /**
     * The head of the last request decoded without error, kept across {@link #next()}: a client
     * on a keep-alive connection sends mostly the same field lines (often the same request) again,
     * so the decoder reuses its method, target, {@link Headers.Field}s, {@link Headers} and
     * {@link RequestHead} when the bytes are the same. All of these are immutable, so sharing them
     * between two requests is not observable (beyond {@code ==}); null before the first.
     */
    private RequestHead previous;
    /** The last request completed, kept across {@link #next()} like {@link #previous}. */
    private Request previousRequest;
    private RequestHead head;
    private Request request;

    /** The most content this request may carry: the limit, or less when buffering. */
    private long bodyLimit;
    /** Bytes left in the Content-Length body or in the current chunk. */
    private long remaining;
    /** Content bytes decoded so far. */
    private long bodyLength;
    /** Where content goes; null to buffer it in {@link #body}. */
    private BodySink sink;
    private byte[] body = NO_BYTES;

    /** A decoder with {@link Limits#DEFAULT}. */
    public RequestDecoder() {
        this(Limits.DEFAULT);
    }

    /** A decoder enforcing {@code limits}. */
    public RequestDecoder(Limits limits) {
        this.limits = limits;
    }

    /** The limits this decoder enforces. */
    public Limits limits() {
        return limits;
    }

    /**
     * Consumes bytes from {@code in}, from its position up to its limit, advancing the position past
     * what it consumed, until a request is complete, its head is complete and content follows, the
     * input runs out, or the request proves bad. Reads with absolute gets only; never writes to
     * {@code in}. In ERROR it consumes nothing.
     *
     * @throws IllegalStateException after {@link Status#REQUEST_READY} until {@link #next()} is called
     */
    public Status decode(ByteBuffer in) {
        if (state == State.FAILED) {
            return Status.ERROR;
        }
        if (state == State.DONE) {
            throw new IllegalStateException("request() is ready: call next() before decoding more");
        }
        if (status == Status.HEAD_READY && !beginBody()) {
            return Status.ERROR;
        }
        status = Status.NEED_MORE;
        int pos = in.position();
        int end = in.limit();
        while (pos < end && status == Status.NEED_MORE) {
            pos = switch (state) {
                case REQUEST_LINE, FIELD_LINE, CHUNK_SIZE_LINE, TRAILER_LINE -> scanLine(in, pos, end);
                case FIXED_BODY, CHUNK_DATA -> takeContent(in, pos, end);
                case CHUNK_DATA_CR, CHUNK_DATA_LF -> afterChunkData(in.get(pos), pos);
                case DONE, FAILED -> throw new AssertionError(state);
            };
        }
        in.position(pos);
        return status;
    }

    /**
     * {@link #decode} that reports how many bytes it consumed; {@link #status()} tells the outcome.
     */
    public int feed(ByteBuffer in) {
        int start = in.position();
        decode(in);
        return in.position() - start;
    }

    /** {@link #feed(ByteBuffer)} over {@code len} bytes of {@code b} from {@code off}. */
    public int feed(byte[] b, int off, int len) {
        return feed(ByteBuffer.wrap(b, off, len));
    }

    /** What the last {@link #decode} or {@link #feed} produced. */
    public Status status() {
        return status;
    }

    /** The head of the current request, from {@link Status#HEAD_READY} (or REQUEST_READY) until {@link #next()}. */
    public RequestHead head() {
        if (head == null) {
            throw new IllegalStateException("no complete head yet");
        }
        return head;
    }

    /** The complete request, after {@link Status#REQUEST_READY} and until {@link #next()}. */
    public Request request() {
        if (state != State.DONE) {
            throw new IllegalStateException("no complete request");
        }
        return request;
    }

    /** Why the request was refused, after {@link Status#ERROR}; null otherwise. */
    public DecodeError error() {
        return error;
    }

    /**
     * Whether bytes of an unfinished request have been consumed (empty lines before a request line
     * do not count): a connection closed now cut a request short.
     */
    public boolean midMessage() {
        return switch (state) {
            case REQUEST_LINE -> lineLength > 0;
            case DONE, FAILED -> false;
            default -> true;
        };
    }

    /**
     * Sends this request's content to {@code sink} as it is decoded instead of buffering it; then
     * {@link Request#body()} is empty and {@link Request#bodyLength()} counts what the sink got.
     *
     * @throws IllegalStateException unless the last status was {@link Status#HEAD_READY}
     */
    public void streamBody(BodySink sink) {
        if (status != Status.HEAD_READY) {
            throw new IllegalStateException("streamBody only at HEAD_READY, not " + status);
        }
        this.sink = sink;
    }

    /**
     * Forgets the request just taken and starts on the next, whose bytes may already be in the
     * caller's buffer from its position on. Does nothing in ERROR, which is sticky.
     *
     * @throws IllegalStateException if the current request is not complete
     */
    public void next() {
        if (state == State.FAILED) {
            return;
        }
        if (state != State.DONE) {
            throw new IllegalStateException("next() only after REQUEST_READY, not in " + state);
        }
        state = State.REQUEST_LINE;
        status = Status.NEED_MORE;
        lineLength = 0;
        sawCr = false;
        sectionBytes = 0;
        trailerFields = 0;
        leadingBytes = 0;
        method = null;
        target = null;
        targetForm = null;
        version = null;
        fields.clear();
        head = null;
        request = null;
        bodyLimit = 0;
        remaining = 0;
        bodyLength = 0;
        sink = null;
        body = NO_BYTES;
    }

    // ---------------------------------------------------------------- lines

    /** Scans up to the end of the current line (request, field, chunk-size or trailer line), then handles it. */
    private int scanLine(ByteBuffer in, int pos, int end) {
        boolean section = state == State.FIELD_LINE || state == State.TRAILER_LINE;
        while (pos < end) {
            byte b = in.get(pos++);
            if (section && ++sectionBytes > limits.maxHeaderBytes()) {
                fail(DecodeError.HEADER_FIELDS_TOO_LARGE, state == State.FIELD_LINE ? "header section too large"
                                                                                     : "trailer section too large");
                return pos;
            }
            if (sawCr) {
                sawCr = false;
                if (b != LF) {
                    fail(DecodeError.BAD_REQUEST, "CR not followed by LF");
                    return pos;
                }
                onLine();
                lineLength = 0;
                return pos;
            }
            if (b == CR) {
                sawCr = true;
            } else if (b == LF) {
                fail(DecodeError.BAD_REQUEST, "bare LF as line terminator");
                return pos;
            } else if (b == 0) {
                fail(DecodeError.BAD_REQUEST, "NUL byte");
                return pos;
            } else if (!append(b)) {
                return pos;
            }
        }
        return pos;
    }

    private boolean append(byte b) {
        int max = switch (state) {
            case REQUEST_LINE -> limits.maxRequestLine();
            case CHUNK_SIZE_LINE -> limits.maxChunkLine();
            default -> limits.maxHeaderBytes();   // the section count trips first
        };
        if (lineLength == max) {
            if (state == State.REQUEST_LINE) {
                fail(DecodeError.URI_TOO_LONG, "request line too long");
            } else {
                fail(DecodeError.BAD_REQUEST, "chunk-size line too long");
            }
            return false;
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(line.length * 2, max));
        }
        line[lineLength++] = b;
        return true;
    }

    private void onLine() {
        switch (state) {
            case REQUEST_LINE -> onRequestLine();
            case FIELD_LINE -> onFieldLine();
            case CHUNK_SIZE_LINE -> onChunkSizeLine();
            case TRAILER_LINE -> onTrailerLine();
            default -> throw new AssertionError(state);
        }
    }

    /** request-line = method SP request-target SP HTTP-version (RFC 9112 §3). */
    private void onRequestLine() {
        if (lineLength == 0) {
            // RFC 9112 §2.2: ignore empty lines before the request line (some clients send CRLF after a body).
            leadingBytes += 2;
            if (leadingBytes > limits.maxRequestLine()) {
                fail(DecodeError.BAD_REQUEST, "too many empty lines before the request line");
            }
            return;
        }
        byte[] b = line;
        int n = lineLength;
        int sp1 = indexOf(b, 0, n, SP);
        int sp2 = lastIndexOf(b, n, SP);
        if (sp1 <= 0 || !Syntax.isToken(b, 0, sp1)) {
            fail(DecodeError.BAD_REQUEST, "malformed method");
            return;
        }
        if (sp2 == sp1) {
            // method SP target and no version: an HTTP/0.9 simple request, if the target is sound.
            fail(Syntax.isTarget(b, sp1 + 1, n) ? DecodeError.VERSION_NOT_SUPPORTED : DecodeError.BAD_REQUEST,
                 "request line without HTTP version");
            return;
        }
        if (!Syntax.isTarget(b, sp1 + 1, sp2)) {
            fail(DecodeError.BAD_REQUEST, "malformed request-target");
            return;
        }
        int v = Syntax.version(b, sp2 + 1, n);
        if (v < 0) {
            fail(DecodeError.BAD_REQUEST, "malformed HTTP version");
            return;
        }
        if (v != 10 && v != 11) {
            fail(DecodeError.VERSION_NOT_SUPPORTED, "HTTP version not supported");
            return;
        }
        version = v == 10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        method = method(b, sp1);
        target = previous != null && sameText(b, sp1 + 1, sp2, previous.target()) ? previous.target()
                                                                                   : latin1(b, sp1 + 1, sp2);
        targetForm = targetForm(b, sp1 + 1, sp2);
        if (targetForm != null) {
            state = State.FIELD_LINE;
            sectionBytes = 0;
        }
    }

    /** Which form the target takes, given the method (RFC 9112 §3.2); null (and 400) if none fits. */
    private TargetForm targetForm(byte[] b, int from, int to) {
        boolean connect = method.equals("CONNECT");
        if (connect) {
            if (Syntax.isAuthorityForm(b, from, to)) {
                return TargetForm.AUTHORITY;
            }
            fail(DecodeError.BAD_REQUEST, "CONNECT needs an authority-form target");
        } else if (to - from == 1 && b[from] == '*') {
            if (method.equals("OPTIONS")) {
                return TargetForm.ASTERISK;
            }
            fail(DecodeError.BAD_REQUEST, "asterisk-form is only for OPTIONS");
        } else if (b[from] == '/') {
            return TargetForm.ORIGIN;
        } else if (Syntax.isAbsoluteForm(b, from, to)) {
            return TargetForm.ABSOLUTE;
        } else {
            fail(DecodeError.BAD_REQUEST, "request-target in no valid form");
        }
        return null;
    }

    /** A header field line, or the empty line that ends the header section. */
    private void onFieldLine() {
        if (lineLength == 0) {
            onHeadComplete();
            return;
        }
        Headers.Field field = parseField();
        if (field == null) {
            return;
        }
        if (fields.size() == limits.maxHeaderFields()) {
            fail(DecodeError.HEADER_FIELDS_TOO_LARGE, "too many header fields");
            return;
        }
        fields.add(field);
    }

    /** A trailer field line, checked and discarded, or the empty line that ends the message. */
    private void onTrailerLine() {
        if (lineLength == 0) {
            complete();
            return;
        }
        if (parseField() == null) {
            return;
        }
        if (trailerFields == limits.maxHeaderFields()) {
            fail(DecodeError.HEADER_FIELDS_TOO_LARGE, "too many trailer fields");
            return;
        }
        trailerFields++;
    }

    /** field-line = field-name ":" OWS field-value OWS (RFC 9112 §5); null (and 400) if malformed. */
    private Headers.Field parseField() {
        byte[] b = line;
        int n = lineLength;
        if (Syntax.isOws(b[0])) {
            fail(DecodeError.BAD_REQUEST, "obs-fold or whitespace before a field name");
            return null;
        }
        int colon = indexOf(b, 0, n, Syntax.COLON);
        if (colon < 0) {
            fail(DecodeError.BAD_REQUEST, "field line without a colon");
            return null;
        }
        for (int i = 0; i < colon; i++) {
            if (!Syntax.isTchar(b[i])) {
                fail(DecodeError.BAD_REQUEST, Syntax.isOws(b[i]) ? "whitespace in or after a field name"
                                                                  : "invalid byte in a field name");
                return null;
            }
        }
        if (colon == 0) {
            fail(DecodeError.BAD_REQUEST, "empty field name");
            return null;
        }
        int from = colon + 1;
        int to = n;
        while (from < to && Syntax.isOws(b[from])) {
            from++;
        }
        while (to > from && Syntax.isOws(b[to - 1])) {
            to--;
        }
        for (int i = from; i < to; i++) {
            if (!Syntax.isFieldValueByte(b[i])) {
                fail(DecodeError.BAD_REQUEST, "control byte in a field value");
                return null;
            }
        }
        // The same field line at the same place in the last request: reuse it (see previous).
        int index = state == State.FIELD_LINE ? fields.size() : -1;
        if (previous != null && index >= 0 && index < previous.headers().size()) {
            Headers.Field last = previous.headers().get(index);
            if (sameText(b, 0, colon, last.name()) && sameText(b, from, to, last.value())) {
                return last;
            }
        }
        return new Headers.Field(fieldName(b, colon), latin1(b, from, to));
    }

    /** Methods (case-sensitive, RFC 9110 §9.1) that get a constant String rather than a new one. */
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE",
        "PATCH"};
    /**
     * Field names that get a constant String when sent exactly so (the name is kept as sent, so
     * only an exact byte match uses the constant; any other spelling gets its own String).
     */
    private static final String[] FIELD_NAMES = {"Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language",
        "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "Expect", "Cookie", "Referer", "Origin",
        "Cache-Control", "Pragma", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "Range",
        "If-Range", "Authorization", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
        "Sec-Fetch-Site", "Sec-Fetch-User", "DNT", "TE", "Upgrade", "host", "user-agent", "accept",
        "accept-encoding", "accept-language", "connection", "content-length", "content-type"};

    private static String method(byte[] b, int length) {
        String known = constant(METHODS, b, 0, length);
        return known != null ? known : latin1(b, 0, length);
    }

    private static String fieldName(byte[] b, int length) {
        String known = constant(FIELD_NAMES, b, 0, length);
        return known != null ? known : latin1(b, 0, length);
    }

    /** The constant of {@code table} whose characters are exactly the bytes, or null. */
    private static String constant(String[] table, byte[] b, int from, int to) {
        for (String s : table) {
            if (sameText(b, from, to, s)) {
                return s;
            }
        }
        return null;
    }

    /** Whether bytes {@code [from, to)} read as ISO-8859-1 are exactly {@code s}. */
    private static boolean sameText(byte[] b, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if ((b[i] & 0xFF) != s.charAt(i - from)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- head semantics

    /**
     * The header section is complete: check Host and framing, then report the head or the request.
     * One pass over the fields picks up the few the decoder acts on (Host, Transfer-Encoding,
     * Content-Length, Connection, Expect); the checks then run in the same order as always.
     */
    private void onHeadComplete() {
        int hosts = 0, transferEncodings = 0, contentLengths = 0;
        String host = null, contentLengthValue = null;
        boolean close = false, keepAliveToken = false, continueToken = false;
        for (int i = 0; i < fields.size(); i++) {
            Headers.Field f = fields.get(i);
            String name = f.name();
            if (name.equalsIgnoreCase("Host")) {
                hosts++;
                host = hosts == 1 ? f.value() : host;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                transferEncodings++;
            } else if (name.equalsIgnoreCase("Content-Length")) {
                contentLengths++;
                contentLengthValue = f.value();
            } else if (name.equalsIgnoreCase("Connection")) {
                close |= Syntax.listContains(f.value(), "close");
                keepAliveToken |= Syntax.listContains(f.value(), "keep-alive");
            } else if (name.equalsIgnoreCase("Expect")) {
                continueToken |= Syntax.listContains(f.value(), "100-continue");
            }
        }
        if (!checkHost(hosts, host)) {
            return;
        }
        BodyFraming framing;
        long length;
        if (transferEncodings > 0) {
            List<String> values = new ArrayList<>(transferEncodings); // rare: chunked requests
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).name().equalsIgnoreCase("Transfer-Encoding")) {
                    values.add(fields.get(i).value());
                }
            }
            DecodeError refused = checkTransferEncoding(values, contentLengths > 0);
            if (refused != null) {
                fail(refused.status(), refused.reason());
                return;
            }
            framing = BodyFraming.CHUNKED;
            length = -1;
        } else if (contentLengths > 0) {
            length = checkContentLength(contentLengths, contentLengthValue);
            if (length < 0) {
                return;
            }
            framing = length == 0 ? BodyFraming.NONE : BodyFraming.CONTENT_LENGTH;
        } else {
            framing = BodyFraming.NONE;
            length = 0;
        }
        // RFC 9112 §9.3: close wins; else HTTP/1.1 persists, HTTP/1.0 only with keep-alive.
        boolean keepAlive = !close && (version == HttpVersion.HTTP_1_1 || keepAliveToken);
        // RFC 9110 §10.1.1: 100-continue counts in HTTP/1.1 only.
        boolean expectContinue = version == HttpVersion.HTTP_1_1 && continueToken;
        head = headLike(framing, length, keepAlive, expectContinue);
        switch (framing) {
            case NONE -> complete();
            case CONTENT_LENGTH -> {
                remaining = length;
                state = State.FIXED_BODY;
                status = Status.HEAD_READY;
            }
            case CHUNKED -> {
                state = State.CHUNK_SIZE_LINE;
                status = Status.HEAD_READY;
            }
        }
    }

    /**
     * The head of this request: the last request's objects where they are the same (all the
     * fields reused from it → its {@link Headers}; everything the same → its {@link RequestHead}).
     */
    private RequestHead headLike(BodyFraming framing, long length, boolean keepAlive, boolean expectContinue) {
        RequestHead last = previous;
        Headers headers;
        if (last != null && sameFields(last.headers())) {
            headers = last.headers();
        } else {
            headers = Headers.of(fields);
        }
        if (last != null && last.method() == method && last.target() == target && last.targetForm() == targetForm
                && last.version() == version && last.headers() == headers && last.framing() == framing
                && last.contentLength() == length && last.keepAlive() == keepAlive
                && last.expectContinue() == expectContinue) {
            return last;
        }
        previous = new RequestHead(method, target, targetForm, version, headers, framing, length, keepAlive,
                                   expectContinue);
        return previous;
    }

    /** Whether every field of this request is (the same object as) the field at its index in {@code h}. */
    private boolean sameFields(Headers h) {
        if (h.size() != fields.size()) {
            return false;
        }
        for (int i = 0; i < fields.size(); i++) {
            if (h.get(i) != fields.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9112 §3.2: exactly one valid Host in HTTP/1.1; at most one, valid, in HTTP/1.0. */
    private boolean checkHost(int hosts, String host) {
        if (hosts > 1) {
            fail(DecodeError.BAD_REQUEST, "more than one Host");
        } else if (hosts == 0 && version == HttpVersion.HTTP_1_1) {
            fail(DecodeError.BAD_REQUEST, "HTTP/1.1 request without Host");
        } else if (hosts == 1 && !Syntax.isHostValue(host)) {
            fail(DecodeError.BAD_REQUEST, "invalid Host");
        } else {
            return true;
        }
        return false;
    }

    /** Only a single {@code chunked} is accepted; null if that is what was sent. */
    private DecodeError checkTransferEncoding(List<String> values, boolean withContentLength) {
        if (version == HttpVersion.HTTP_1_0) {
            return new DecodeError(DecodeError.BAD_REQUEST, "Transfer-Encoding in HTTP/1.0");
        }
        if (withContentLength) {
            return new DecodeError(DecodeError.BAD_REQUEST, "both Content-Length and Transfer-Encoding");
        }
        int chunked = 0;
        boolean unknown = false;
        for (String element : Syntax.listElements(values)) {
            int semicolon = element.indexOf(';');
            String coding = semicolon < 0 ? element : Syntax.trimOws(element, 0, semicolon);
            if (!Syntax.isToken(coding)) {
                return new DecodeError(DecodeError.BAD_REQUEST, "malformed Transfer-Encoding");
            }
            if (coding.equalsIgnoreCase("chunked")) {
                if (semicolon >= 0 || ++chunked > 1) {
                    return new DecodeError(DecodeError.BAD_REQUEST, "chunked with parameters or twice");
                }
            } else {
                unknown = true;
            }
        }
        return unknown ? new DecodeError(DecodeError.NOT_IMPLEMENTED, "transfer coding other than chunked") : null;
    }

    /** One Content-Length field line ({@code count} of them, the last {@code value}) of 1*DIGIT within the limit; else -1 (and 400 or 413). */
    private long checkContentLength(int count, String value) {
        if (count > 1) {
            fail(DecodeError.BAD_REQUEST, "more than one Content-Length");
            return -1;
        }
        long length = Syntax.contentLength(value);
        if (length < 0) {
            fail(DecodeError.BAD_REQUEST, "malformed Content-Length");
        } else if (length > limits.maxBody()) {
            fail(DecodeError.CONTENT_TOO_LARGE, "Content-Length over the limit");
            return -1;
        }
        return length;
    }

    // ---------------------------------------------------------------- content

    /** The caller has seen HEAD_READY and chosen where content goes; fix the bound that choice implies. */
    private boolean beginBody() {
        bodyLimit = sink == null ? Math.min(limits.maxBody(), MAX_ARRAY) : limits.maxBody();
        if (head.framing() == BodyFraming.CONTENT_LENGTH && head.contentLength() > bodyLimit) {
            fail(DecodeError.CONTENT_TOO_LARGE, "Content-Length too large to buffer");
            return false;
        }
        return true;
    }

    /** Hands out as much of the Content-Length body or current chunk as {@code in} holds. */
    private int takeContent(ByteBuffer in, int pos, int end) {
        int n = (int) Math.min(remaining, end - pos);
        if (sink != null) {
            sink.onBody(in.slice(pos, n).asReadOnlyBuffer());
        } else {
            buffer(in, pos, n);
        }
        bodyLength += n;
        remaining -= n;
        if (remaining == 0) {
            if (state == State.FIXED_BODY) {
                complete();
            } else {
                state = State.CHUNK_DATA_CR;
            }
        }
        return pos + n;
    }

    /** Appends to the buffered body, growing it geometrically, never beyond the declared length. */
    private void buffer(ByteBuffer in, int pos, int n) {
        long need = bodyLength + n;
        if (need > body.length) {
            long cap = head.framing() == BodyFraming.CONTENT_LENGTH ? head.contentLength() : bodyLimit;
            long grown = Math.min(Math.max(need, Math.max(body.length * 2L, 8192)), cap);
            body = Arrays.copyOf(body, (int) grown);
        }
        in.get(pos, body, (int) bodyLength, n);
    }

    /** chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk = 1*("0") [ chunk-ext ] CRLF. */
    private void onChunkSizeLine() {
        long size = Syntax.chunkSize(line, lineLength);
        if (size < 0) {
            fail(DecodeError.BAD_REQUEST, "malformed chunk size");
        } else if (size > bodyLimit - bodyLength) {
            fail(DecodeError.CONTENT_TOO_LARGE, "chunked content over the limit");
        } else if (size == 0) {
            state = State.TRAILER_LINE;
            sectionBytes = 0;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    /** The CRLF after chunk data, byte by byte; anything else (bare LF included) is 400. */
    private int afterChunkData(byte b, int pos) {
        if (state == State.CHUNK_DATA_CR && b == CR) {
            state = State.CHUNK_DATA_LF;
        } else if (state == State.CHUNK_DATA_LF && b == LF) {
            state = State.CHUNK_SIZE_LINE;
        } else {
            fail(DecodeError.BAD_REQUEST, "chunk data not followed by CRLF");
        }
        return pos + 1;
    }

    private void complete() {
        byte[] content = sink != null || body.length == bodyLength ? body : Arrays.copyOf(body, (int) bodyLength);
        // The same head and no content: the last request again (immutable, like its head).
        Request last = previousRequest;
        request = last != null && last.head() == head && content == NO_BYTES && last.body() == NO_BYTES
                && bodyLength == 0 ? last : new Request(head, content, bodyLength);
        previousRequest = content == NO_BYTES ? request : null; // never hold on to a body
        body = NO_BYTES;
        state = State.DONE;
        status = Status.REQUEST_READY;
    }

    private void fail(int code, String reason) {
        error = new DecodeError(code, reason);
        state = State.FAILED;
        status = Status.ERROR;
        head = null;
        request = null;
        body = NO_BYTES;
        fields.clear();
    }

    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, int to, byte x) {
        for (int i = to - 1; i >= 0; i--) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return "RequestDecoder[" + state + ", " + status + (error == null ? "" : ", " + error) + "]";
    }
}
