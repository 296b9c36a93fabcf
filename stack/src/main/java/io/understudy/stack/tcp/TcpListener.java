package io.understudy.stack.tcp;

/** A passive open on one port: where new connections go and how many may be half-open. */
public final class TcpListener {
    /** Chooses the handler for each new connection, on the stack thread. */
    @FunctionalInterface
    public interface AcceptHandler {
        /** A connection to this listener completed its handshake; return the handler it reports to. */
        TcpHandler accept(TcpConnection connection);
    }

    private final int port;
    private final int backlog;
    private final AcceptHandler acceptHandler;
    /** Connections in SYN-RECEIVED that count against the backlog. */
    int halfOpen;
    /** Connections accepted so far. */
    long accepted;
    /** SYNs answered with a cookie because the backlog was full. */
    long cookiesSent;

    TcpListener(int port, int backlog, AcceptHandler acceptHandler) {
        this.port = port;
        this.backlog = backlog;
        this.acceptHandler = acceptHandler;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** Most half-open connections before SYN cookies take over. */
    public int backlog() {
        return backlog;
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted;
    }

    AcceptHandler acceptHandler() {
        return acceptHandler;
    }
}
