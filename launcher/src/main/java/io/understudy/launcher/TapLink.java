package io.understudy.launcher;

import io.understudy.stack.link.Link;
import io.understudy.stack.link.VnetHeader;
import io.understudy.tap.TapOptions;
import io.understudy.tap.TapDevice;
import io.understudy.tap.TapException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's link over a TAP device: each frame is one write(2). With a virtio-net header
 * ({@link TapOptions#vnetHeader()}) every received frame starts with one (the stack skips it)
 * and every sent frame gets one: zeros for a plain frame, or the checksum and segmentation
 * details of an offloaded TCP segment, written in front of the frame with writev(2). Stack
 * thread only.
 */
final class TapLink implements Link {
    private static final Logger log = LoggerFactory.getLogger(TapLink.class);

    private final TapDevice tap;
    private final AtomicLong errors = new AtomicLong();

    private final int offloads;
    private final int headerLength;
    /** The header for the next frame (direct, for writev). */
    private final ByteBuffer header;

    TapLink(TapDevice tap) {
        this.tap = tap;
        TapOptions options = tap.options();
        this.headerLength = options.vnetHeader() ? options.vnetHeaderSize() : 0;
        int o = 0;
        if ((options.offloads() & TapOptions.TUN_F_CSUM) != 0) {
            o |= OFFLOAD_CSUM;
            if ((options.offloads() & TapOptions.TUN_F_TSO4) != 0) {
                o |= OFFLOAD_TSO;
            }
        }
        this.offloads = o;
        this.header = ByteBuffer.allocateDirect(Math.max(headerLength, VnetHeader.LENGTH));
    }

    @Override
    public int offloads() {
        return offloads;
    }

    @Override
    public int receiveHeaderLength() {
        return headerLength;
    }

    @Override
    public void transmit(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int hdrLength) {
        VnetHeader.write(header, 0, csumStart, csumOffset, gsoSize, hdrLength);
        write(frame);
    }

    @Override
    public void transmit(ByteBuffer frame) {
        if (headerLength > 0) {
            VnetHeader.write(header, 0, 0, 0, 0, 0);
        }
        write(frame);
    }

    private void write(ByteBuffer frame) {
        try {
            int n = headerLength > 0 ? tap.write(header.clear().limit(headerLength), frame) : tap.write(frame);
            if (n == 0) {
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
