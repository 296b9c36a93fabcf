package io.understudy.httpd;

import io.understudy.stack.Counters;
import io.understudy.stack.NetStack;
import io.understudy.stack.tcp.TcpLayer;
import java.util.Map;
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

    /**
     * Replication figures ({@code /status} "replication" object, {@code understudy_replication_*}
     * gauges): names in snake case, values {@link Long} (numbers) or {@link String} (states, the
     * peer). Empty for a solo node. Called on the stack thread; must be cheap.
     */
    default Map<String, Object> replication() {
        return Map.of();
    }

    /** A solo node's view of {@code stack}. */
    static StatusSource of(NetStack stack) {
        return of(stack, () -> "solo");
    }

    /** A view of {@code stack} whose role is asked of {@code role} at each request. */
    static StatusSource of(NetStack stack, Supplier<String> role) {
        return of(stack, role, Map::of);
    }

    /** A view of {@code stack} whose role and replication figures are asked of the suppliers at each request. */
    static StatusSource of(NetStack stack, Supplier<String> role, Supplier<Map<String, Object>> replication) {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(replication, "replication");
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

            @Override
            public Map<String, Object> replication() {
                return replication.get();
            }
        };
    }
}
