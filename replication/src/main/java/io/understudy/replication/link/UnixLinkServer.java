package io.understudy.replication.link;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

final class UnixLinkServer implements LinkServer {

    private final UnixServerSocketChannel server;
    private final Selector selector;
    private final LinkAddress.Unix address;

    private UnixLinkServer(UnixServerSocketChannel server, Selector selector, LinkAddress.Unix address) {
        this.server = server;
        this.selector = selector;
        this.address = address;
    }

    static UnixLinkServer bind(LinkAddress.Unix address) throws IOException {
        Path path = address.path();
        removeStaleSocket(address);
        UnixServerSocketChannel server = UnixServerSocketChannel.open();
        try {
            server.socket().bind(new UnixSocketAddress(path.toFile()), 1);
            server.configureBlocking(false);
            Selector selector = server.provider().openSelector();
            server.register(selector, SelectionKey.OP_ACCEPT);
            return new UnixLinkServer(server, selector, address);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Removes {@code path} if it is a socket nobody listens on; refuses anything else that exists. */
    private static void removeStaleSocket(LinkAddress.Unix address) throws IOException {
        Path path = address.path();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!UnixFiles.isSocket(path)) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "refusing to listen on " + address + ": path exists and is not a socket ("
                            + UnixFiles.describeType(path) + ")");
        }
        boolean live;
        try (UnixSocketChannel probe = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
            live = probe.isConnected();
        } catch (IOException e) {
            live = false; // typically ECONNREFUSED: the socket file outlived its listener
        }
        if (live) {
            throw new IOException("refusing to listen on " + address + ": another process is listening on it");
        }
        Files.deleteIfExists(path);
    }

    @Override
    public LinkAddress address() {
        return address;
    }

    @Override
    public ReplicationLink accept(Duration timeout) throws IOException {
        return AcceptLoop.await(selector, address, timeout, () -> {
            UnixSocketChannel ch = server.accept();
            if (ch == null) {
                return null;
            }
            try {
                ch.configureBlocking(true);
                return new ChannelLink(ch, "unix " + address.path() + " (accepted)");
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        });
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
            server.close();
        } finally {
            Path path = address.path();
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && UnixFiles.isSocket(path)) {
                Files.deleteIfExists(path);
            }
        }
    }
}
