package io.understudy.stack;

import io.understudy.stack.tcp.CloseReason;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import java.io.ByteArrayOutputStream;

/** A client that sends {@code data}, half-closes, and collects what comes back until the peer's FIN. */
public final class EchoClient implements TcpHandler {
    private final byte[] data;
    private int written;
    private boolean shut;
    public final ByteArrayOutputStream got = new ByteArrayOutputStream();
    public boolean peerClosed;
    public CloseReason reason;
    private final byte[] scratch = new byte[65_536];

    public EchoClient(byte[] data) {
        this.data = data;
    }

    @Override
    public void onConnected(TcpConnection c) {
        pump(c);
    }

    @Override
    public void onWritable(TcpConnection c) {
        pump(c);
    }

    @Override
    public void onReadable(TcpConnection c) {
        drain(c);
        pump(c);
    }

    @Override
    public void onPeerClosed(TcpConnection c) {
        drain(c);
        peerClosed = true;
        c.close();
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
        this.reason = reason;
    }

    private void pump(TcpConnection c) {
        while (written < data.length) {
            int n = c.write(data, written, Math.min(data.length - written, 16_384));
            if (n == 0) {
                return;
            }
            written += n;
        }
        if (!shut) {
            shut = true;
            c.shutdownOutput();
        }
    }

    private void drain(TcpConnection c) {
        int n;
        while ((n = c.read(scratch, 0, scratch.length)) > 0) {
            got.write(scratch, 0, n);
        }
    }
}
