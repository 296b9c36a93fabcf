package io.understudy.replication;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the replication logger says (INFO and up) while open. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.understudy.replication");
    private final Level before = logger.getLevel();
    private final List<String> lines = new ArrayList<>();

    LogCapture() {
        setName("capture");
        start();
        logger.setLevel(Level.INFO);
        logger.addAppender(this);
    }

    @Override
    protected synchronized void append(ILoggingEvent e) {
        lines.add(e.getLevel() + " " + e.getFormattedMessage());
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** True once some line contains every one of {@code parts}. */
    synchronized boolean has(String... parts) {
        return lines.stream().anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains));
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(before);
        stop();
    }
}
