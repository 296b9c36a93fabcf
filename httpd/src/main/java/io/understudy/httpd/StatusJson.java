package io.understudy.httpd;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.tcp.TcpInfo;
import io.understudy.stack.tcp.TcpLayer;

/**
 * The {@code GET /status} document: role, uptime, non-zero stack counters, TCP connections with
 * their {@code tcp_info} (at most {@link #MAX_CONNECTIONS}; the rest only counted in
 * {@code connections_truncated}) and the HTTP server's figures. Built on the stack thread.
 */
final class StatusJson {
    /** At most this many connections are listed, so the page stays bounded. */
    static final int MAX_CONNECTIONS = 1000;

    private StatusJson() {}

    static String render(StatusSource source, double uptimeSeconds, HttpFigures http) {
        return render(source, uptimeSeconds, http, MAX_CONNECTIONS);
    }

    static String render(StatusSource source, double uptimeSeconds, HttpFigures http, int maxConnections) {
        TcpLayer tcp = source.tcp();
        int count = tcp.connectionCount();
        JsonWriter w = new JsonWriter(new StringBuilder(1024 + Math.min(count, maxConnections) * 600));
        w.beginObject();
        w.field("role", source.role());
        w.field("uptime_seconds", Math.floor(uptimeSeconds * 1000) / 1000);

        w.name("counters").beginObject();
        Counters counters = source.counters();
        for (Counter c : Counter.values()) {
            long v = counters.get(c);
            if (v != 0) {
                w.field(c.metricName(), v);
            }
        }
        w.endObject();

        w.name("tcp").beginObject();
        w.field("connection_count", count);
        w.name("connections").beginArray();
        int[] listed = {0};
        tcp.forEachConnection(c -> {
            if (listed[0] < maxConnections) {
                listed[0]++;
                tcpInfo(w, c.info());
            }
        });
        w.endArray();
        w.field("connections_truncated", Math.max(0, count - listed[0]));
        w.endObject();

        java.util.Map<String, Object> replication = source.replication();
        if (!replication.isEmpty()) {
            w.name("replication").beginObject();
            replication.forEach((k, v) -> {
                if (v instanceof Number n) {
                    w.field(k, n.longValue());
                } else {
                    w.field(k, String.valueOf(v));
                }
            });
            w.endObject();
        }

        w.name("http").beginObject();
        w.field("active_connections", http.active());
        w.field("connections", http.accepted());
        w.field("responses", http.responses());
        w.field("rejected", http.rejected());
        w.endObject();

        w.endObject();
        return w.toString();
    }

    /** One connection's {@code tcp_info}; times in microseconds as Linux reports them. */
    static void tcpInfo(JsonWriter w, TcpInfo i) {
        w.beginObject();
        w.field("tuple", i.tuple().toString());
        w.field("state", i.state().name());
        w.field("cwnd", i.cwnd());
        w.field("ssthresh", i.ssthresh());
        w.field("srtt_us", i.srtt() / 1000);
        w.field("rttvar_us", i.rttvar() / 1000);
        w.field("rto_us", i.rto() / 1000);
        w.field("retransmits", i.retransmits());
        w.field("total_retransmits", i.totalRetransmits());
        w.field("bytes_in_flight", i.bytesInFlight());
        w.field("sack_holes", i.sackHoles());
        w.field("snd_mss", i.sndMss());
        w.field("rcv_mss", i.rcvMss());
        w.field("snd_wnd", i.sndWnd());
        w.field("rcv_wnd", i.rcvWnd());
        w.field("send_queue", i.sendQueue());
        w.field("receive_queue", i.receiveQueue());
        w.field("cc", i.congestionControl());
        w.field("sack", i.sack());
        w.field("timestamps", i.timestamps());
        w.field("snd_wscale", i.sndWscale());
        w.field("rcv_wscale", i.rcvWscale());
        w.endObject();
    }
}
