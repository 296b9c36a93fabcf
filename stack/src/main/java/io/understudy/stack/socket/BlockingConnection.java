package io.understudy.stack.socket;

import io.understudy.stack.NetStack;
import io.understudy.stack.engine.StackCommand;
import io.understudy.stack.tcp.CloseReason;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP connection for application threads: blocking {@link InputStream} and
 * {@link OutputStream} over a connection that lives on the stack thread.
 *
 * <p>Between the two sides sit two bounded byte rings. The stack thread moves received bytes
 * into the inbound ring as long as it has room — when it is full, TCP's receive window closes
 * and the peer waits — and moves the outbound ring into the send queue as the window allows.
 * Application threads block on the rings, never on the stack; everything they ask of the
 * connection goes to the stack thread as a command.
 */
public final class BlockingConnection implements TcpHandler, AutoCloseable {
    /** Runs commands on the stack thread; {@code engine::execute}. */
    @FunctionalInterface
    public interface StackExecutor {
        void execute(StackCommand<NetStack> command);
    }

    private static final int RING = 1 << 20;
    private static final byte[] NO_BYTES = new byte[0];

    private final StackExecutor stack;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] in = new byte[RING];
    private final byte[] outRing = new byte[RING];
    private final byte[] scratch = new byte[64 * 1024];
    // Guarded by lock.
    private int inHead, inCount, outHead, outCount;
    private boolean connected, closed, outputShutdown, closing, pullScheduled, pushScheduled;
    /** The peer's FIN arrived and every byte before it has been moved out of TCP. */
    private boolean endOfStream;
    private CloseReason closeReason;
    /**
     * What TCP still held when the connection closed normally with the inbound ring full (after
     * onClosed the handle must not be used, so it is taken then); read after the ring.
     */
    private byte[] rest = NO_BYTES;
    private int restAt;
    /** Stack thread only. */
    private TcpConnection connection;

    private final InputStream input = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return BlockingConnection.this.read(b, off, len);
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return inCount + rest.length - restAt;
            } finally {
                lock.unlock();
            }
        }
    };

    private final OutputStream output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            BlockingConnection.this.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            shutdownOutput();
        }
    };

    private BlockingConnection(StackExecutor stack) {
        this.stack = stack;
    }

    /**
     * Opens a connection to {@code remoteIp:remotePort} from the stack and waits for the
     * handshake.
     *
     * @throws ConnectException when refused, timed out, or not connected within {@code timeoutMillis}
     */
    public static BlockingConnection connect(StackExecutor stack, int remoteIp, int remotePort, long timeoutMillis)
            throws IOException, InterruptedException {
        BlockingConnection bc = new BlockingConnection(stack);
        stack.execute((s, now) -> bc.connection = s.tcp().connect(now, remoteIp, remotePort, bc));
        bc.awaitConnected(timeoutMillis);
        return bc;
    }

    /**
     * Wraps a connection that was just accepted (call on the stack thread, from the accept
     * handler, and return the result as the connection's handler).
     */
    public static BlockingConnection accepted(StackExecutor stack, TcpConnection connection) {
        BlockingConnection bc = new BlockingConnection(stack);
        bc.connection = connection;
        bc.connected = true;
        return bc;
    }

    /** Bytes from the peer; -1 after the peer closed and everything was read. */
    public InputStream inputStream() {
        return input;
    }

    /** Bytes to the peer; closing it half-closes the connection (FIN), reading goes on. */
    public OutputStream outputStream() {
        return output;
    }

    private void awaitConnected(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (!connected && !closed && deadline - System.nanoTime() > 0) {
                changed.awaitNanos(deadline - System.nanoTime());
            }
            if (connected) {
                return;
            }
            if (closed) {
                throw new ConnectException("connection " + (closeReason == CloseReason.REFUSED ? "refused" : "failed: " + closeReason));
            }
        } finally {
            lock.unlock();
        }
        abort();
        throw new ConnectException("connect timed out after " + timeoutMillis + " ms");
    }

    private int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        boolean pull = false;
        lock.lock();
        try {
            while (inCount == 0) {
                if (restAt < rest.length) {
                    int n = Math.min(len, rest.length - restAt);
                    System.arraycopy(rest, restAt, b, off, n);
                    restAt += n;
                    return n;
                }
                if (endOfStream || closed) {
                    if (closeReason != null && closeReason != CloseReason.NORMAL) {
                        throw new IOException("connection closed: " + closeReason);
                    }
                    return -1;
                }
                awaitChange();
            }
            int n = Math.min(len, inCount);
            int first = Math.min(n, RING - inHead);
            System.arraycopy(in, inHead, b, off, first);
            System.arraycopy(in, 0, b, off + first, n - first);
            inHead = (inHead + n) % RING;
            inCount -= n;
            if (!pullScheduled && !closed) {
                pullScheduled = true;
                pull = true;
            }
            return n;
        } finally {
            lock.unlock();
            // Never publish to the ring holding the lock: the stack thread may be waiting for it.
            if (pull) {
                stack.execute((s, now) -> pull());
            }
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            boolean push;
            lock.lock();
            try {
                while (outCount == RING && !closed) {
                    awaitChange();
                }
                if (closed || outputShutdown) {
                    throw new IOException("connection " + (closed ? "closed: " + closeReason : "output shut down"));
                }
                int tail = (outHead + outCount) % RING;
                int n = Math.min(len, Math.min(RING - outCount, RING - tail));
                System.arraycopy(b, off, outRing, tail, n);
                outCount += n;
                off += n;
                len -= n;
                push = claimPush();
            } finally {
                lock.unlock();
            }
            if (push) {
                stack.execute((s, now) -> push());
            }
        }
    }

    /** Half-close after everything written so far: FIN, and reading goes on. */
    public void shutdownOutput() {
        boolean push;
        lock.lock();
        try {
            if (outputShutdown || closed) {
                return;
            }
            outputShutdown = true;
            push = claimPush();
        } finally {
            lock.unlock();
        }
        if (push) {
            stack.execute((s, now) -> push());
        }
    }

    /** Blocks until everything written has been handed to TCP and the connection is fully closed, or the timeout. */
    public boolean awaitClosed(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes gracefully: output is flushed, then FIN, and reading ends. Bytes that arrive after
     * this are answered with a RST, as Linux does for a closed socket.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
        } finally {
            lock.unlock();
        }
        shutdownOutput();
    }

    /** Resets the connection at once (RST). */
    public void abort() {
        stack.execute((s, now) -> {
            if (connection != null) {
                connection.abort();
            }
        });
    }

    private void awaitChange() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Under the lock: true when the caller must schedule a push (after unlocking). */
    private boolean claimPush() {
        if (pushScheduled) {
            return false;
        }
        pushScheduled = true;
        return true;
    }

    // ---- stack thread ----

    /** Moves received bytes into the inbound ring while it has room; notes the end of the stream once TCP is drained. */
    private void pull() {
        TcpConnection c = connection;
        while (true) {
            int room;
            int tail;
            lock.lock();
            try {
                pullScheduled = false;
                if (closed) {
                    return; // the handle is gone; what it held is in rest
                }
                room = RING - inCount;
                tail = (inHead + inCount) % RING;
            } finally {
                lock.unlock();
            }
            int n = c == null ? 0 : c.read(in, tail, Math.min(room, RING - tail));
            if (n <= 0) {
                if (c != null && c.peerFinReceived() && c.readable() == 0) {
                    signal(() -> endOfStream = true);
                }
                return;
            }
            lock.lock();
            try {
                inCount += n;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Moves the outbound ring into the send queue as far as it takes, then the FIN if asked. */
    private void push() {
        TcpConnection c = connection;
        if (c == null) {
            return;
        }
        while (true) {
            int head;
            int count;
            boolean fin;
            boolean closeRequested;
            lock.lock();
            try {
                pushScheduled = false;
                head = outHead;
                count = Math.min(outCount, RING - outHead);
                fin = outputShutdown && outCount == 0;
                closeRequested = closing;
            } finally {
                lock.unlock();
            }
            if (count == 0) {
                if (fin && c.state().canSend()) {
                    if (closeRequested) {
                        c.close();
                    } else {
                        c.shutdownOutput();
                    }
                }
                return;
            }
            int n = c.write(outRing, head, count);
            if (n <= 0) {
                return;
            }
            lock.lock();
            try {
                outHead = (outHead + n) % RING;
                outCount -= n;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void onConnected(TcpConnection c) {
        connection = c;
        signal(() -> connected = true);
        push();
    }

    @Override
    public void onReadable(TcpConnection c) {
        pull();
    }

    @Override
    public void onWritable(TcpConnection c) {
        push();
    }

    @Override
    public void onPeerClosed(TcpConnection c) {
        pull(); // the end of the stream only once the bytes before the FIN are in the ring
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
        // A normal close needs the peer's FIN, which may have come while the ring was full:
        // take what TCP still holds now, bounded by its receive queue, or it would be lost.
        byte[] left = NO_BYTES;
        if (reason == CloseReason.NORMAL && c.readable() > 0) {
            left = new byte[c.readable()];
            c.read(left, 0, left.length);
        }
        byte[] taken = left;
        signal(() -> {
            closed = true;
            closeReason = reason;
            rest = taken;
        });
    }

    private void signal(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
