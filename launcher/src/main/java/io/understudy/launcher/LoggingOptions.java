package io.understudy.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code --log-level}, shared by every command. */
final class LoggingOptions {
    enum LogLevel { error, warn, info, debug, trace }

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "Log level: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). debug logs per-packet events.")
    LogLevel level;

    /** Applies the level to the root logger. */
    void apply() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.toLevel(level.name()));
    }
}
