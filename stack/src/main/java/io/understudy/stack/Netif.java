package io.understudy.stack;

import io.understudy.stack.replication.OutputCommit;
import io.understudy.stack.link.Link;
import io.understudy.stack.wire.EthernetFrame;
import java.nio.ByteBuffer;

/**
 * The network interface: where every outgoing frame passes, to be padded, observed, counted and
 * handed to the link. Stack thread only.
 */
public final class Netif {
    /** Ethernet's minimum frame size without the FCS; shorter frames are zero-padded. */
    static final int MIN_FRAME = 60;
    /** Bound of the output-commit queue: frames beyond it are dropped (TCP sends them again). */
    static final int OUTPUT_COMMIT_BYTES = 64 << 20;

    private final StackConfig config;
    private final Link link;
    private final Counters counters;
    private final EthernetFrame eth = new EthernetFrame();
    private FrameObserver observer;
    private final OutputCommit commit = new OutputCommit(OUTPUT_COMMIT_BYTES);
    private long releaseTime;
    private final OutputCommit.Transmitter released;
    /** Offload details of the next frame ({@link #offload}); csumStart 0 for none. */
    private int txCsumStart, txCsumOffset, txGsoSize, txHeaderLength;

    Netif(StackConfig config, Link link, Counters counters) {
        this.config = config;
        this.link = link;
        this.counters = counters;
        this.released = (frame, csumStart, csumOffset, gsoSize, headerLength) -> {
            counters.increment(Counter.REPLICATION_FRAMES_RELEASED);
            wire(releaseTime, frame, csumStart, csumOffset, gsoSize, headerLength);
        };
    }

    /** The interface's settings. */
    public StackConfig config() {
        return config;
    }

    /** The counters. */
    public Counters counters() {
        return counters;
    }

    void observer(FrameObserver observer) {
        this.observer = observer;
    }

    /** Reports a received frame to the observer. */
    void received(long now, ByteBuffer frame) {
        if (observer != null) {
            observer.frame(now, frame);
        }
    }

    /**
     * Writes the Ethernet header at index 0 of {@code frame} (whose payload follows at 14) and
     * transmits the first {@code length} bytes, padded to the Ethernet minimum.
     */
    public void transmit(long now, ByteBuffer frame, int length, long dstMac, int etherType) {
        eth.wrap(frame, 0, EthernetFrame.HEADER_LENGTH).dst(dstMac).src(config.mac()).etherType(etherType);
        int padded = Math.max(length, MIN_FRAME);
        for (int i = length; i < padded; i++) {
            frame.put(i, (byte) 0);
        }
        frame.limit(padded).position(0);
        int csumStart = txCsumStart, csumOffset = txCsumOffset, gsoSize = txGsoSize, headerLength = txHeaderLength;
        txCsumStart = 0;
        txGsoSize = 0;
        if (commit.holds()) {
            long droppedBefore = commit.droppedFrames();
            commit.hold(frame, csumStart, csumOffset, gsoSize, headerLength);
            if (commit.droppedFrames() != droppedBefore) {
                counters.increment(commit.halted() ? Counter.DROP_REPLICATION_HALTED : Counter.DROP_REPLICATION_COMMIT_FULL);
            } else {
                counters.increment(Counter.REPLICATION_FRAMES_HELD);
            }
        } else {
            wire(now, frame, csumStart, csumOffset, gsoSize, headerLength);
        }
        frame.clear();
    }

    private void wire(long now, ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength) {
        int length = frame.remaining();
        if (observer != null) {
            observer.frame(now, frame);
        }
        if (csumStart > 0) {
            link.transmit(frame, csumStart, csumOffset, gsoSize, headerLength);
            if (gsoSize > 0) {
                counters.increment(Counter.TX_GSO_FRAMES);
            }
        } else {
            link.transmit(frame);
        }
        counters.increment(Counter.TX_FRAMES);
        counters.add(Counter.TX_BYTES, length);
    }

    /** What the link does for us ({@link Link#offloads()}). */
    public int linkOffloads() {
        return link.offloads();
    }

    /**
     * The next frame {@link #transmit} sends leaves work to the link: its transport checksum at
     * {@code csumStart + csumOffset} is partial and, if {@code gsoSize > 0}, the link segments it.
     */
    public void offload(int csumStart, int csumOffset, int gsoSize, int headerLength) {
        txCsumStart = csumStart;
        txCsumOffset = csumOffset;
        txGsoSize = gsoSize;
        txHeaderLength = headerLength;
    }

    /** The output-commit queue every frame passes (solo until replication enables it). */
    public OutputCommit commit() {
        return commit;
    }

    /** The standby acknowledged {@code record}: frames held for it leave now. */
    void release(long now, long record) {
        releaseTime = now;
        commit.release(record, released);
    }

    /** Solo again: every held frame leaves now. */
    void releaseAll(long now) {
        releaseTime = now;
        commit.solo(released);
    }

    /** Halt: nothing leaves any more. */
    void halt() {
        counters.add(Counter.DROP_REPLICATION_HALTED, commit.waitingFrames());
        commit.halt();
    }

    /** End of batch: push out buffered frames and captures. */
    void flush() {
        link.flush();
        if (observer != null) {
            observer.flush();
        }
    }
}
