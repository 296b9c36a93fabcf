package io.understudy.httpd;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.tcp.TcpState;
import java.util.Locale;

/**
 * The {@code GET /metrics} page in the Prometheus text exposition format 0.0.4: every family with
 * {@code # HELP} and {@code # TYPE}, then its samples. Families:
 * <ul>
 *   <li>{@code understudy_frames_total{direction="rx|tx"}} (counters {@code rx_frames}, {@code tx_frames});</li>
 *   <li>{@code understudy_drops_total{reason="..."}}, one series for every {@code drop_*} counter,
 *       the reason being the rest of its name;</li>
 *   <li>{@code understudy_tcp_connections{state="..."}}, a gauge per {@link TcpState}, zeros included;</li>
 *   <li>{@code understudy_tcp_retransmits_total};</li>
 *   <li>{@code understudy_<name>_total} for every other counter;</li>
 *   <li>{@code understudy_uptime_seconds} and the HTTP server's {@code understudy_http_*}.</li>
 * </ul>
 * Counter names are lower-case letters, digits and underscores, so every name is valid per the
 * Prometheus data model. Built on the stack thread; the size is bounded by the number of counters.
 */
final class PrometheusMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String DROP = "drop_";

    private PrometheusMetrics() {}

    static String render(StatusSource source, double uptimeSeconds, HttpFigures http) {
        Counters counters = source.counters();
        StringBuilder b = new StringBuilder(8192);

        family(b, "understudy_frames_total", "counter", "Ethernet frames received (rx) and sent (tx).");
        sample(b, "understudy_frames_total", "direction", "rx", counters.get(Counter.RX_FRAMES));
        sample(b, "understudy_frames_total", "direction", "tx", counters.get(Counter.TX_FRAMES));

        family(b, "understudy_drops_total", "counter", "Packets dropped, by reason (the stack's drop_* counters).");
        for (Counter c : Counter.values()) {
            if (c.metricName().startsWith(DROP)) {
                sample(b, "understudy_drops_total", "reason", c.metricName().substring(DROP.length()), counters.get(c));
            }
        }

        family(b, "understudy_tcp_connections", "gauge", "TCP connections, by state.");
        long[] perState = new long[TcpState.values().length];
        source.tcp().forEachConnection(c -> perState[c.state().ordinal()]++);
        for (TcpState s : TcpState.values()) {
            sample(b, "understudy_tcp_connections", "state", s.name(), perState[s.ordinal()]);
        }

        family(b, "understudy_tcp_retransmits_total", "counter", "TCP segments retransmitted.");
        sample(b, "understudy_tcp_retransmits_total", null, null, counters.get(Counter.TCP_RETRANSMITS));

        for (Counter c : Counter.values()) {
            if (c == Counter.RX_FRAMES || c == Counter.TX_FRAMES || c == Counter.TCP_RETRANSMITS
                    || c.metricName().startsWith(DROP)) {
                continue;
            }
            String name = "understudy_" + c.metricName() + "_total";
            family(b, name, "counter", "The stack's " + c.metricName() + " counter.");
            sample(b, name, null, null, counters.get(c));
        }

        source.replication().forEach((k, v) -> {
            String name = "understudy_replication_" + k;
            if (v instanceof Number n) {
                family(b, name, "gauge", "Replication: " + k.replace('_', ' ') + ".");
                sample(b, name, null, null, n.longValue());
            } else {
                family(b, name, "gauge", "Replication: " + k.replace('_', ' ') + " (the value is the label).");
                sample(b, name, "value", String.valueOf(v), 1);
            }
        });

        family(b, "understudy_uptime_seconds", "gauge", "Seconds since the HTTP server was installed.");
        b.append("understudy_uptime_seconds ").append(String.format(Locale.ROOT, "%.3f", uptimeSeconds)).append('\n');

        family(b, "understudy_http_active_connections", "gauge", "HTTP connections being served.");
        sample(b, "understudy_http_active_connections", null, null, http.active());
        family(b, "understudy_http_connections_total", "counter", "HTTP connections accepted.");
        sample(b, "understudy_http_connections_total", null, null, http.accepted());
        family(b, "understudy_http_rejected_connections_total", "counter",
                "HTTP connections answered 503 because too many were being served.");
        sample(b, "understudy_http_rejected_connections_total", null, null, http.rejected());
        family(b, "understudy_http_responses_total", "counter", "HTTP responses queued.");
        sample(b, "understudy_http_responses_total", null, null, http.responses());
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, String label, String value, long n) {
        b.append(name);
        if (label != null) {
            b.append('{').append(label).append("=\"");
            escapeLabel(b, value);
            b.append("\"}");
        }
        b.append(' ').append(n).append('\n');
    }

    /** A label value: backslash, double quote and line feed escaped (exposition format). */
    static void escapeLabel(StringBuilder b, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(ch);
            }
        }
    }
}
