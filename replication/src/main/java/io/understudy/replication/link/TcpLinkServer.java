package io.understudy.replication.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

final class TcpLinkServer implements LinkServer {

    private final ServerSocketChannel server;
    private final Selector selector;
    private final LinkAddress.Tcp address;

    private TcpLinkServer(ServerSocketChannel server, Selector selector, LinkAddress.Tcp address) {
        this.server = server;
        this.selector = selector;
        this.address = address;
    }

    static TcpLinkServer bind(LinkAddress.Tcp address) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(address.host(), address.port()), 1);
            server.configureBlocking(false);
            Selector selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            return new TcpLinkServer(server, selector, new LinkAddress.Tcp(address.host(), port));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LinkAddress address() {
        return address;
    }

    @Override
    public ReplicationLink accept(Duration timeout) throws IOException {
        return AcceptLoop.await(selector, address, timeout, () -> {
            SocketChannel ch = server.accept();
            if (ch == null) {
                return null;
            }
            try {
                ch.configureBlocking(true);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                return new ChannelLink(ch, "tcp " + ch.getLocalAddress() + " <- " + ch.getRemoteAddress());
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
        } finally {
            server.close();
        }
    }
}
