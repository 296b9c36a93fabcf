package io.understudy.launcher;

import io.understudy.stack.socket.BlockingConnection;
import io.understudy.stack.wire.Ipv4Address;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code understudy tcp-client}: the stack as a TCP client. Connects to a server, sends a number
 * of pseudo-random bytes while reading everything the server sends until it closes, and prints
 * the SHA-256 of both directions, so a test can compare them with what the server saw.
 */
@Command(name = "tcp-client", mixinStandardHelpOptions = true,
        description = "Run a stack instance, connect from it to ADDR:PORT, send BYTES pseudo-random bytes and "
                + "half-close, read until the server closes, print the byte counts and SHA-256 of both directions.")
final class TcpClientCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin StackOptions stack;

    @Option(names = "--connect", paramLabel = "ADDR:PORT", required = true, description = "The server to connect to.")
    String connect;

    @Option(names = "--send", paramLabel = "BYTES", defaultValue = "0", description = "Bytes to send (default: ${DEFAULT-VALUE}).")
    long send;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Mixin LoggingOptions logging;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        StackSettings settings = stack.settings(spec.commandLine());
        int colon = connect.lastIndexOf(':');
        int remoteIp;
        int remotePort;
        long deadlineMillis;
        try {
            remoteIp = Ipv4Address.parse(connect.substring(0, Math.max(colon, 0)));
            remotePort = Integer.parseInt(connect.substring(colon + 1));
            deadlineMillis = TcpFlags.duration("--timeout", timeout) / 1_000_000;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect '" + connect + "': expected ADDR:PORT, e.g. 10.201.0.1:5001");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (StackInstance instance = StackInstance.start(settings, false, stopped::countDown)) {
            long start = System.nanoTime();
            BlockingConnection c = BlockingConnection.connect(instance.executor(), remoteIp, remotePort, 10_000);
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> sendAll(c.outputStream()));
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long receivedBytes = 0;
            byte[] buf = new byte[256 * 1024];
            InputStream in = c.inputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                received.update(buf, 0, n);
                receivedBytes += n;
            }
            String sentSha = sent.get();
            boolean closed = c.awaitClosed(deadlineMillis);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("tcp-client: sent %d bytes sha256=%s; received %d bytes sha256=%s; %.2f s, %.1f MB/s up, %.1f MB/s down%n",
                    send, sentSha, receivedBytes, HexFormat.of().formatHex(received.digest()), seconds,
                    send / seconds / 1e6, receivedBytes / seconds / 1e6);
            return closed ? 0 : 1;
        }
    }

    private String sendAll(OutputStream out) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 20];
            new SplittableRandom(42).nextBytes(block);
            for (long left = send; left > 0; ) {
                int n = (int) Math.min(left, block.length);
                out.write(block, 0, n);
                digest.update(block, 0, n);
                left -= n;
            }
            out.close();
            return HexFormat.of().formatHex(digest.digest());
        } catch (Exception e) {
            throw new IllegalStateException("sending failed: " + e.getMessage(), e);
        }
    }
}
