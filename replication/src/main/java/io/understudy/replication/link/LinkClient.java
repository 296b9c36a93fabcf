package io.understudy.replication.link;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/** Connects to a {@link LinkServer}. */
public final class LinkClient {

    private LinkClient() {
    }

    /**
     * Connects and returns the link (not yet started). The timeout bounds the TCP handshake; a Unix
     * connect completes or fails at once.
     *
     * @throws ConnectException naming the address when nobody listens there (missing socket file,
     *     refused port, ...)
     * @throws SocketTimeoutException when a TCP connect does not complete in time
     */
    public static ReplicationLink connect(LinkAddress address, Duration timeout) throws IOException {
        if (address instanceof LinkAddress.Unix u) {
            return connectUnix(u);
        }
        return connectTcp((LinkAddress.Tcp) address, timeout);
    }

    private static ReplicationLink connectUnix(LinkAddress.Unix address) throws IOException {
        UnixSocketChannel ch;
        try {
            ch = UnixSocketChannel.open(new UnixSocketAddress(address.path().toFile()));
        } catch (IOException e) {
            ConnectException ce = new ConnectException("cannot connect to " + address + ": " + e.getMessage());
            ce.initCause(e);
            throw ce;
        }
        long pid = -1;
        try {
            pid = ch.getOption(jnr.unixsocket.UnixSocketOptions.SO_PEERCRED).getPid();
        } catch (IOException | RuntimeException e) {
            // not told: the standby then learns of the primary's death when the socket closes
        }
        return new ChannelLink(ch, "unix " + address.path() + " (connected)", pid);
    }

    private static ReplicationLink connectTcp(LinkAddress.Tcp address, Duration timeout) throws IOException {
        if (address.port() == 0) {
            throw new IllegalArgumentException("cannot connect to " + address + ": port 0");
        }
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(new InetSocketAddress(address.host(), address.port()),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            return new ChannelLink(ch, "tcp " + ch.getLocalAddress() + " -> " + ch.getRemoteAddress());
        } catch (SocketTimeoutException e) {
            ch.close();
            SocketTimeoutException te = new SocketTimeoutException(
                    "cannot connect to " + address + ": no answer within " + timeout);
            te.initCause(e);
            throw te;
        } catch (IOException | RuntimeException e) {
            ch.close();
            ConnectException ce = new ConnectException("cannot connect to " + address + ": " + e.getMessage());
            ce.initCause(e);
            throw ce;
        }
    }
}
