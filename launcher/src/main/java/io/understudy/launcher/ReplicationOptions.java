package io.understudy.launcher;

import io.understudy.replication.ReplicationConfig;
import io.understudy.replication.codec.Role;
import io.understudy.replication.link.LinkAddress;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code serve}'s replication options: which side of a pair this instance is, and how it reaches the other. */
final class ReplicationOptions {
    enum RoleName { solo, primary, standby }

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "solo",
            description = "solo (no replication, the default), primary (replicate to a standby that connects to "
                    + "--peer) or standby (shadow the primary at --peer; take over when it dies).")
    RoleName role;

    @Option(names = "--peer", paramLabel = "ADDR",
            description = "The replication link: unix:PATH (a pair on one host) or tcp:HOST:PORT (two hosts). A primary "
                    + "listens there; a standby connects there.")
    String peer;

    @Option(names = "--listen", paramLabel = "ADDR",
            description = "Where a standby, once it has taken over, accepts its own new standby (default: the same "
                    + "unix: path as --peer; with tcp: none unless given).")
    String listen;

    @Option(names = "--policy", paramLabel = "POLICY", defaultValue = "continue",
            description = "What a primary does when its standby is lost: continue (go on alone, loudly; the default) "
                    + "or halt (send nothing more).")
    String policy;

    @Option(names = "--heartbeat-ms", paramLabel = "MS", defaultValue = "10",
            description = "Heartbeat interval on the replication link (default: ${DEFAULT-VALUE} ms).")
    int heartbeatMillis;

    @Option(names = "--heartbeat-timeout-ms", paramLabel = "MS",
            description = "Silence on the replication link after which the peer counts as lost. Default: 50 ms over "
                    + "tcp: (two hosts); 1000 ms over unix: (one host), where a dead process's socket closes at once, "
                    + "silence only means a slow peer, and a standby never takes over because of it.")
    Integer heartbeatTimeoutMillis;

    /** Over a Unix socket silence is only slowness (a dead peer's socket closes): give a loaded machine time. */
    static final int UNIX_HEARTBEAT_TIMEOUT_MILLIS = 1000, TCP_HEARTBEAT_TIMEOUT_MILLIS = 50;

    /** The {@code --policy} value {@code name} (continue or halt); anything else is a usage error. */
    static ReplicationConfig.Policy policy(CommandLine cli, String name) {
        return switch (name) {
            case "continue" -> ReplicationConfig.Policy.CONTINUE;
            case "halt" -> ReplicationConfig.Policy.HALT;
            default -> throw new CommandLine.ParameterException(cli, "--policy '" + name + "': must be continue or halt");
        };
    }

    /** The replication settings for {@code settings} serving {@code ports}, or null for solo; bad values are usage errors. */
    ReplicationConfig config(CommandLine cli, StackSettings settings, List<Integer> ports) {
        if (role == RoleName.solo) {
            if (peer != null || listen != null) {
                throw new CommandLine.ParameterException(cli, "--peer and --listen need --role primary or --role standby");
            }
            return null;
        }
        if (peer == null) {
            throw new CommandLine.ParameterException(cli, "--role " + role + " needs --peer unix:PATH or --peer tcp:HOST:PORT");
        }
        ReplicationConfig.Policy p = policy(cli, policy);
        LinkAddress peerAddress = address(cli, "--peer", peer);
        int timeout = heartbeatTimeoutMillis != null ? heartbeatTimeoutMillis
                : peerAddress instanceof LinkAddress.Unix ? UNIX_HEARTBEAT_TIMEOUT_MILLIS : TCP_HEARTBEAT_TIMEOUT_MILLIS;
        if (heartbeatMillis < 1 || timeout < 2 * heartbeatMillis) {
            throw new CommandLine.ParameterException(cli, "--heartbeat-timeout-ms " + timeout
                    + " must be at least twice --heartbeat-ms " + heartbeatMillis + " (and that at least 1)");
        }
        LinkAddress listenAddress = listen == null ? null : address(cli, "--listen", listen);
        long fingerprint = ReplicationConfig.fingerprint(settings.stack(), settings.tcp());
        int ip = settings.stack().ip();
        long mac = settings.stack().mac();
        try {
            ReplicationConfig c = role == RoleName.primary
                    ? new ReplicationConfig(Role.PRIMARY, null, peerAddress, p, Duration.ofMillis(heartbeatMillis),
                            Duration.ofMillis(timeout), ip, mac, ports, fingerprint,
                            ReplicationConfig.DEFAULT_QUEUE_FRAMES)
                    : new ReplicationConfig(Role.STANDBY, peerAddress, listenAddress, p,
                            Duration.ofMillis(heartbeatMillis), Duration.ofMillis(timeout), ip, mac, ports,
                            fingerprint, ReplicationConfig.DEFAULT_QUEUE_FRAMES);
            return c;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage(), e);
        }
    }

    private static LinkAddress address(CommandLine cli, String flag, String text) {
        try {
            return LinkAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, flag + " '" + text + "': " + e.getMessage(), e);
        }
    }
}
