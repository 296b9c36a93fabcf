package io.understudy.replication;

import io.understudy.stack.NetStack;
import io.understudy.stack.engine.Engine;
import io.understudy.stack.engine.StackCommand;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.tcp.TcpSecret;
import java.util.List;
import java.util.Objects;

/**
 * How replication reaches the stack: every call runs on the stack thread, queued behind what is
 * already in the ring, and never blocks the caller. {@link #of} drives a real {@link NetStack}
 * through its {@link Engine}; tests drive a fake.
 */
public interface StackDriver {

    /** The stack operations replication uses; called on the stack thread only. */
    interface StackOps {
        void attachReplication(long now, ReplicationLog log);

        void replicationAcked(long record);

        void detachReplication();

        void haltOutput();

        int takeover(long now, List<Adoption> adoptions);

        void rekey(TcpSecret secret);

        /** The key of the stack's ISNs and SYN cookies, which a standby must share. */
        TcpSecret secret();
    }

    /** Work for the stack thread. */
    @FunctionalInterface
    interface Task {
        void run(StackOps stack, long now);
    }

    /** Queues {@code task} for the stack thread. */
    void execute(Task task);

    /** Drives {@code stack}, whose stack thread is {@code engine}'s (the handler may wrap the stack). */
    static StackDriver of(Engine<?> engine, NetStack stack) {
        return of(engine, stack, () -> { });
    }

    /**
     * As {@link #of(Engine, NetStack)}; {@code afterTakeover} runs on the stack thread right after
     * a takeover (a launcher lets its standby's stack hear frames from then on).
     */
    static StackDriver of(Engine<?> engine, NetStack stack, Runnable afterTakeover) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(afterTakeover, "afterTakeover");
        StackOps ops = new StackOps() {
            @Override public void attachReplication(long now, ReplicationLog log) { stack.attachReplication(now, log); }
            @Override public void replicationAcked(long record) { stack.replicationAcked(record); }
            @Override public void detachReplication() { stack.detachReplication(); }
            @Override public void haltOutput() { stack.haltOutput(); }
            @Override public int takeover(long now, List<Adoption> adoptions) {
                int adopted = stack.takeover(now, adoptions);
                afterTakeover.run();
                return adopted;
            }
            @Override public void rekey(TcpSecret secret) { stack.tcp().rekey(secret); }
            @Override public TcpSecret secret() { return stack.tcp().secret(); }
        };
        return task -> engine.execute((StackCommand<Object>) (handler, now) -> task.run(ops, now));
    }
}
