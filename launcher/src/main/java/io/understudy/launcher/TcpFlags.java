package io.understudy.launcher;

import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.tcp.cc.CongestionControl;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Option;

/** TCP knobs on the command line; every default is Linux's. */
final class TcpFlags {
    @Option(names = "--cc", paramLabel = "NAME", defaultValue = "cubic",
            description = "Congestion control: newreno or cubic (default: ${DEFAULT-VALUE}).")
    String congestionControl;

    @Option(names = "--no-sack", description = "Do not offer SACK (RFC 2018).")
    boolean noSack;

    @Option(names = "--no-timestamps", description = "Do not offer timestamps (RFC 7323).")
    boolean noTimestamps;

    @Option(names = "--no-window-scaling", description = "Do not offer window scaling (RFC 7323).")
    boolean noWindowScaling;

    @Option(names = "--no-delay", description = "Turn Nagle's algorithm off for every connection.")
    boolean noDelay;

    @Option(names = "--min-rto", paramLabel = "DURATION", defaultValue = "200ms",
            description = "Smallest retransmission timeout (default: ${DEFAULT-VALUE}; RFC 6298 says 1s).")
    String minRto;

    @Option(names = "--msl", paramLabel = "DURATION", defaultValue = "30s",
            description = "Maximum segment lifetime; TIME-WAIT lasts twice this (default: ${DEFAULT-VALUE}).")
    String msl;

    @Option(names = "--user-timeout", paramLabel = "DURATION", defaultValue = "0s",
            description = "Drop a connection whose data stays unacknowledged this long (RFC 5482); 0 for the retry count only.")
    String userTimeout;

    @Option(names = "--keepalive", paramLabel = "IDLE,INTERVAL,PROBES",
            description = "Send keepalive probes after IDLE, every INTERVAL, dropping after PROBES unanswered, e.g. 2h,75s,9.")
    String keepalive;

    @Option(names = "--buffer", paramLabel = "BYTES", defaultValue = "1048576",
            description = "Receive and send queue size per connection, a power of two (default: ${DEFAULT-VALUE}).")
    int buffer;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + TcpLayer.DEFAULT_MAX_CONNECTIONS,
            description = "Cap on TCP connections in any state (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--trace", description = "Log each TCP state transition and each retransmission with its reason.")
    boolean trace;

    /** The TCP settings; IllegalArgumentException naming the bad flag. */
    TcpConfig config(int mtu) {
        if (!CongestionControl.NAMES.contains(congestionControl.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("--cc '" + congestionControl + "': choose one of " + String.join(", ", CongestionControl.NAMES));
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be positive, got " + maxConnections);
        }
        TcpConfig config;
        try {
            config = TcpConfig.defaults(mtu)
                    .withCongestionControl(congestionControl.toLowerCase(java.util.Locale.ROOT))
                    .withOptions(!noWindowScaling, !noTimestamps, !noSack)
                    .withBuffers(buffer, buffer)
                    .withMsl(duration("--msl", msl))
                    .withTimeouts(duration("--min-rto", minRto), duration("--user-timeout", userTimeout), 15)
                    .withNoDelay(noDelay)
                    .withTrace(trace);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage() : "TCP settings: " + e.getMessage());
        }
        if (keepalive != null) {
            String[] parts = keepalive.split(",");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--keepalive '" + keepalive + "': expected IDLE,INTERVAL,PROBES, e.g. 2h,75s,9");
            }
            int probes;
            try {
                probes = Integer.parseInt(parts[2].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--keepalive '" + keepalive + "': PROBES must be a whole number");
            }
            config = config.withKeepalive(true, duration("--keepalive", parts[0]), duration("--keepalive", parts[1]), probes);
        }
        return config;
    }

    /** Parses 200ms, 1.5s, 2m, 2h (or an ISO-8601 PT… duration) into nanoseconds. */
    static long duration(String flag, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t).toNanos();
            }
            String[][] units = {{"ms", "1000000"}, {"us", "1000"}, {"ns", "1"}, {"s", "1000000000"}, {"m", "60000000000"},
                    {"h", "3600000000000"}};
            for (String[] unit : units) {
                if (t.endsWith(unit[0])) {
                    double value = Double.parseDouble(t.substring(0, t.length() - unit[0].length()));
                    if (value < 0) {
                        break;
                    }
                    return (long) (value * Long.parseLong(unit[1]));
                }
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(flag + " '" + text + "': not a duration (e.g. 200ms, 1.5s, 2m, 2h)");
    }
}
