package io.understudy.replication.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import jnr.enxio.channels.NativeSelectableChannel;

/** A {@link ReplicationLink} over a blocking byte channel (TCP or Unix-domain stream socket). */
final class ChannelLink implements ReplicationLink {

    static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    private static final long CLOSE_WAIT_MILLIS = 10_000;

    private final ByteChannel channel;
    private final String description;
    private final Object sendLock = new Object();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Thread receiver;

    private final long peerPid;

    ChannelLink(ByteChannel channel, String description) {
        this(channel, description, -1);
    }

    ChannelLink(ByteChannel channel, String description, long peerPid) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.description = description;
        this.peerPid = peerPid;
    }

    @Override
    public long peerPid() {
        return peerPid;
    }

    @Override
    public void start(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("link " + description + " already started");
        }
        if (closed.get()) {
            throw new IllegalStateException("link " + description + " is closed");
        }
        Thread t = new Thread(() -> receiveLoop(listener), "understudy-link-rx " + description);
        t.setDaemon(true);
        receiver = t;
        t.start();
    }

    private void receiveLoop(Listener listener) {
        ByteBuffer buf = ByteBuffer.allocate(RECEIVE_BUFFER_BYTES);
        try {
            while (!closed.get()) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break; // orderly shutdown by the peer (or our own close)
                }
                if (n == 0) {
                    continue;
                }
                buf.flip();
                listener.onBytes(buf);
            }
        } catch (Throwable t) {
            if (!closed.get()) {
                failure.compareAndSet(null, t);
            }
        } finally {
            shutChannel();
            listener.onClosed(failure.get());
        }
    }

    @Override
    public void send(ByteBuffer bytes) throws IOException {
        synchronized (sendLock) {
            if (closed.get()) {
                throw new ClosedChannelException();
            }
            try {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed.get()) {
                    failure.compareAndSet(null, e);
                }
                shutChannel();
                throw e;
            }
        }
    }

    /**
     * On a unix socket (jnr's, whose descriptor is known) one {@code send(2)} with
     * {@code MSG_DONTWAIT}; on any other channel -1 (a JDK socket's descriptor is not reachable,
     * and switching the channel to non-blocking would also change the receive thread's reads).
     */
    @Override
    public int trySend(ByteBuffer bytes) throws IOException {
        if (!(channel instanceof NativeSelectableChannel nativeChannel) || !NonBlockingSend.AVAILABLE) {
            return -1;
        }
        synchronized (sendLock) {
            if (closed.get()) {
                throw new ClosedChannelException();
            }
            try {
                return NonBlockingSend.send(nativeChannel.getFD(), bytes);
            } catch (IOException | RuntimeException e) {
                if (!closed.get()) {
                    failure.compareAndSet(null, e);
                }
                shutChannel();
                throw e;
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get() && channel.isOpen();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        shutChannel();
        Thread t = receiver;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.MILLISECONDS.toMillis(CLOSE_WAIT_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutChannel() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close(); // also wakes a blocked read (NIO signals it; jnr shuts the socket down first)
            } catch (IOException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    @Override
    public String toString() {
        return "ReplicationLink[" + description + (isOpen() ? "" : ", closed") + "]";
    }
}
