package io.understudy.stack.services;

import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.tcp.TcpState;
import java.nio.charset.StandardCharsets;

/**
 * The classic test services on TCP: echo (RFC 862, port 7), discard (RFC 863, port 9) and
 * chargen (RFC 864, port 19) — the simplest way to poke at the TCP from any kernel client.
 * Each is a {@link TcpHandler} that runs on the stack thread and keeps no per-connection
 * buffer: it moves only as many bytes as the connection's send queue takes, so a slow reader
 * slows the writer through TCP's own windows. Each closes its side once the client has closed
 * its side and everything has been sent.
 */
public final class ClassicServices {
    public static final int ECHO_PORT = 7, DISCARD_PORT = 9, CHARGEN_PORT = 19;
    /** Listen backlog of each service. */
    static final int BACKLOG = 128;

    /** RFC 864: lines of 72 printable characters, each starting one character later, ending CR LF. */
    static final byte[] CHARGEN_PERIOD = chargenPeriod();

    private final byte[] scratch = new byte[64 * 1024];
    private long echoed, discarded, generated;

    private ClassicServices() {}

    /** Starts all three on {@code tcp}. */
    public static ClassicServices install(TcpLayer tcp) {
        ClassicServices services = new ClassicServices();
        tcp.listen(ECHO_PORT, BACKLOG, c -> services.echo);
        tcp.listen(DISCARD_PORT, BACKLOG, c -> services.discard);
        tcp.listen(CHARGEN_PORT, BACKLOG, c -> new Chargen(services));
        return services;
    }

    /** Bytes echoed back so far. */
    public long echoed() {
        return echoed;
    }

    /** Bytes discarded so far. */
    public long discarded() {
        return discarded;
    }

    /** Bytes generated so far. */
    public long generated() {
        return generated;
    }

    private final TcpHandler echo = new TcpHandler() {
        @Override
        public void onReadable(TcpConnection c) {
            pump(c);
        }

        @Override
        public void onWritable(TcpConnection c) {
            pump(c);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            pump(c);
        }

        private void pump(TcpConnection c) {
            int n;
            while ((n = Math.min(Math.min(c.readable(), c.writable()), scratch.length)) > 0) {
                c.read(scratch, 0, n);
                c.write(scratch, 0, n);
                echoed += n;
            }
            closeAfterPeer(c);
        }
    };

    private final TcpHandler discard = new TcpHandler() {
        @Override
        public void onReadable(TcpConnection c) {
            drain(c);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            drain(c);
            closeAfterPeer(c);
        }
    };

    private void drain(TcpConnection c) {
        int n;
        while ((n = c.read(scratch, 0, scratch.length)) > 0) {
            discarded += n;
        }
    }

    /** When the peer has closed and nothing is left to read, close our side too. */
    private static void closeAfterPeer(TcpConnection c) {
        if (c.state() == TcpState.CLOSE_WAIT && c.readable() == 0) {
            c.close();
        }
    }

    /** One chargen connection: where in the character pattern it is. */
    private static final class Chargen implements TcpHandler {
        private final ClassicServices services;
        private int offset;

        Chargen(ClassicServices services) {
            this.services = services;
        }

        @Override
        public void onConnected(TcpConnection c) {
            fill(c);
        }

        @Override
        public void onWritable(TcpConnection c) {
            fill(c);
        }

        @Override
        public void onReadable(TcpConnection c) {
            services.drain(c); // RFC 864: data received is thrown away
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            services.drain(c);
            c.close();
        }

        private void fill(TcpConnection c) {
            if (!c.state().canSend()) {
                return;
            }
            int n;
            while ((n = Math.min(c.writable(), CHARGEN_PERIOD.length - offset)) > 0) {
                int written = c.write(CHARGEN_PERIOD, offset, n);
                services.generated += written;
                offset = (offset + written) % CHARGEN_PERIOD.length;
                if (written < n) {
                    return;
                }
            }
        }
    }

    private static byte[] chargenPeriod() {
        int printable = 95, width = 72;
        StringBuilder period = new StringBuilder(printable * (width + 2));
        for (int line = 0; line < printable; line++) {
            for (int i = 0; i < width; i++) {
                period.append((char) (' ' + (line + i) % printable));
            }
            period.append("\r\n");
        }
        return period.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
