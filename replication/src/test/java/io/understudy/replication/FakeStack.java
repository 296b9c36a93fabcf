package io.understudy.replication;

import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.tcp.TcpTuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a NetStack and its stack thread: one thread runs the tasks; it holds a table of
 * connection images that each attach snapshots into the log, and records what replication did to it.
 */
final class FakeStack implements StackDriver, StackDriver.StackOps, AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-stack");
        t.setDaemon(true);
        return t;
    });
    final Map<TcpTuple, TcbImage> connections = new ConcurrentHashMap<>();
    final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    private ReplicationLog log;
    volatile TcpSecret secret;
    volatile long acked;
    volatile long lastSnapshotRecord;
    volatile List<Adoption> adopted;

    FakeStack(TcpSecret secret) {
        this.secret = secret;
    }

    @Override
    public void execute(Task task) {
        if (thread.isShutdown()) return; // the stack is gone
        thread.execute(() -> task.run(this, System.nanoTime()));
    }

    @Override
    public void attachReplication(long now, ReplicationLog l) {
        calls.add("attach");
        log = l;
        lastSnapshotRecord = l.currentRecord();
        connections.values().forEach(l::image);
        l.commit(now);
    }

    @Override
    public void replicationAcked(long record) {
        acked = Math.max(acked, record);
    }

    @Override
    public void detachReplication() {
        calls.add("detach");
        log = null;
    }

    @Override
    public void haltOutput() {
        calls.add("halt");
        log = null;
    }

    @Override
    public int takeover(long now, List<Adoption> adoptions) {
        calls.add("takeover");
        adopted = adoptions;
        return adoptions.size();
    }

    @Override
    public void rekey(TcpSecret s) {
        calls.add("rekey");
        secret = s;
    }

    @Override
    public TcpSecret secret() {
        return secret;
    }

    /** A connection changes (or appears): its image goes into a record of its own. */
    void change(TcbImage image) {
        TcbImage copy = new TcbImage().set(image);
        execute((ops, now) -> {
            connections.put(new TcpTuple(copy.localIp, copy.localPort, copy.remoteIp, copy.remotePort), copy);
            if (log != null) {
                log.image(copy);
                log.commit(now);
            }
        });
    }

    /** The number of the newest record committed so far (-1 if not attached). */
    long committed() throws Exception {
        java.util.concurrent.CompletableFuture<Long> f = new java.util.concurrent.CompletableFuture<>();
        execute((ops, now) -> f.complete(log == null ? -1 : log.currentRecord() - 1));
        return f.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
