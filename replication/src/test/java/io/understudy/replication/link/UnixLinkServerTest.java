package io.understudy.replication.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixLinkServerTest {

    @TempDir
    Path dir;

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path sock = dir.resolve("stale.sock");
        // A listener that died without cleaning up leaves its socket file behind.
        UnixServerSocketChannel dead = UnixServerSocketChannel.open();
        dead.socket().bind(new UnixSocketAddress(sock.toFile()));
        dead.close();
        assertThat(sock).exists();
        assertThat(UnixFiles.isSocket(sock)).isTrue();

        LinkAddress addr = LinkAddress.parse("unix:" + sock);
        try (LinkServer server = LinkServer.listen(addr)) {
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            try (ReplicationLink client = LinkClient.connect(addr, Duration.ofSeconds(5));
                 ReplicationLink accepted = server.accept(Duration.ofSeconds(5))) {
                accepted.start(new ReplicationLink.Listener() {
                    @Override
                    public void onBytes(ByteBuffer chunk) {
                        byte[] b = new byte[chunk.remaining()];
                        chunk.get(b);
                        got.complete(b);
                    }

                    @Override
                    public void onClosed(Throwable cause) {
                        got.completeExceptionally(new AssertionError("closed early", cause));
                    }
                });
                client.send(ByteBuffer.wrap(new byte[] {42}));
                assertThat(got.get(5, TimeUnit.SECONDS)).containsExactly(42);
            }
        }
        assertThat(sock).doesNotExist(); // the server removes its socket file on close
    }

    @Test
    void regularFileIsRefused() throws Exception {
        Path file = dir.resolve("not-a-socket");
        Files.writeString(file, "precious");
        assertThatThrownBy(() -> LinkServer.listen(LinkAddress.parse("unix:" + file)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("path exists and is not a socket (a regular file)")
                .hasMessageContaining(file.toString());
        assertThat(file).hasContent("precious");
    }

    @Test
    void directoryIsRefused() {
        assertThatThrownBy(() -> LinkServer.listen(LinkAddress.parse("unix:" + dir)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a socket (a directory)");
    }

    @Test
    void liveListenerIsNotStolen() throws Exception {
        LinkAddress addr = LinkAddress.parse("unix:" + dir.resolve("live.sock"));
        try (LinkServer first = LinkServer.listen(addr)) {
            assertThatThrownBy(() -> LinkServer.listen(addr))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("another process is listening");
            assertThat(dir.resolve("live.sock")).exists();
        }
    }
}
