package io.understudy.replication;

import io.understudy.replication.PeerLink.PeerException;
import io.understudy.replication.codec.Frame;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.HelloReject;
import io.understudy.replication.codec.RecordReader;
import io.understudy.replication.shadow.ShadowTable;
import io.understudy.stack.replication.Adoption;
import java.util.List;

/**
 * The standby's record applier: puts the fragments of each RECORD into the shadow table, in
 * order, and says when a record is complete (to be acknowledged). A snapshot record is built in a
 * table of its own that replaces the current one only when its last fragment arrived, so a
 * snapshot cut short leaves the previous state intact. Delta records apply fragment by fragment
 * (within a batch, data entries come before the connection's image, so a cut record leaves each
 * shadow consistent with its last image, bytes beyond it being ignored at adoption).
 *
 * <p>Used under the caller's lock: the receive thread applies, the takeover reads once.
 */
final class Applier {
    private final RecordReader reader = new RecordReader();
    private ShadowTable table = new ShadowTable();
    private ShadowTable staging;
    private boolean haveSnapshot;
    private boolean inRecord;
    private boolean recordIsSnapshot;
    private long record;
    private long lastApplied;
    private long firstExpected = 1;

    /** The smallest number the next (snapshot) record may have, as the primary announced. */
    void expectFrom(long first) {
        firstExpected = first;
    }

    /** Applies one RECORD frame; returns the record's number when it was its last fragment, else 0. */
    long apply(Frame f) throws PeerException {
        long seq = f.sequence();
        boolean snapshot = (f.flags() & FrameCodec.FLAG_SNAPSHOT) != 0;
        boolean last = (f.flags() & FrameCodec.FLAG_LAST_FRAGMENT) != 0;
        if (inRecord) {
            if (seq != record || snapshot != recordIsSnapshot) {
                throw error("record " + seq + " began before record " + record + " ended");
            }
        } else {
            if (snapshot) {
                if (seq < firstExpected || seq <= lastApplied) {
                    throw error("snapshot record " + seq + " is older than " + Math.max(firstExpected, lastApplied + 1));
                }
                staging = new ShadowTable();
            } else if (!haveSnapshot) {
                throw error("record " + seq + " is not a snapshot, and none came first");
            } else if (seq != lastApplied + 1) {
                throw error("record " + seq + " follows record " + lastApplied);
            }
            inRecord = true;
            recordIsSnapshot = snapshot;
            record = seq;
        }
        ShadowTable target = snapshot ? staging : table;
        reader.wrap(f);
        try {
            while (reader.next()) target.apply(reader);
        } catch (IllegalArgumentException e) {
            throw error("record " + seq + ": " + e.getMessage());
        }
        if (reader.reject() != null) throw error("malformed record " + seq + ": " + reader.reject());
        if (!last) return 0;
        if (snapshot) {
            table = staging;
            staging = null;
            haveSnapshot = true;
        }
        inRecord = false;
        lastApplied = seq;
        return seq;
    }

    long lastApplied() {
        return lastApplied;
    }

    boolean haveSnapshot() {
        return haveSnapshot;
    }

    /** The current shadows (not a snapshot still arriving). */
    ShadowTable table() {
        return table;
    }

    List<Adoption> adoptions() {
        return table.adoptions();
    }

    private static PeerException error(String message) {
        return new PeerException(HelloReject.PROTOCOL_ERROR, message);
    }
}
