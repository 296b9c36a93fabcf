package io.understudy.httpd;

import io.understudy.stack.Counters;
import io.understudy.stack.NetStack;
import io.understudy.stack.tcp.TcpLayer;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What {@code GET /status} and {@code GET /metrics} read from the stack: its counters, its TCP
 * layer and the node's role. Read on the stack thread only (the server runs there).
 */
public interface StatusSource {
    /** The stack's counters. */
    Counters counters();

    /** The stack's TCP layer (connection count, per-connection {@code tcp_info}). */
    TcpLayer tcp();

    /** The node's role, {@code "solo"} until replication says otherwise. */
    default String role() {
        return "solo";
    }

    /** A solo node's view of {@code stack}. */
    static StatusSource of(NetStack stack) {
        return of(stack, () -> "solo");
    }

    /** A view of {@code stack} whose role is asked of {@code role} at each request. */
    static StatusSource of(NetStack stack, Supplier<String> role) {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(role, "role");
        return new StatusSource() {
            @Override
            public Counters counters() {
                return stack.counters();
            }

            @Override
            public TcpLayer tcp() {
                return stack.tcp();
            }

            @Override
            public String role() {
                return role.get();
            }
        };
    }
}
