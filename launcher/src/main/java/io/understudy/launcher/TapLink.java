package io.understudy.launcher;

import io.understudy.stack.link.Link;
import io.understudy.tap.TapDevice;
import io.understudy.tap.TapException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The stack's link over a TAP device: each frame is one write(2). Stack thread only. */
final class TapLink implements Link {
    private static final Logger log = LoggerFactory.getLogger(TapLink.class);

    private final TapDevice tap;
    private final AtomicLong errors = new AtomicLong();

    TapLink(TapDevice tap) {
        this.tap = tap;
    }

    @Override
    public void transmit(ByteBuffer frame) {
        try {
            if (tap.write(frame) == 0) {
                countError("the TAP's queue stayed full for 100 ms; frame dropped");
            }
        } catch (TapException e) {
            countError(e.getMessage());
        }
    }

    /** Frames the TAP refused. */
    long errors() {
        return errors.get();
    }

    private void countError(String why) {
        // Log the first and then every 1000th, so a dead TAP cannot flood the log.
        if (errors.getAndIncrement() % 1000 == 0) {
            log.warn("TAP {}: cannot send ({}); {} so far", tap.name(), why, errors.get());
        }
    }
}
