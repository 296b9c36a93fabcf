package io.understudy.stack.replication;

import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpTuple;

/**
 * The replication SPI: where the stack writes, during each ring batch, every change a standby
 * needs to take over its connections, and where the batch's record ends. It knows nothing of
 * sockets or of the link's wire format; the {@code replication} module implements it.
 *
 * <p>Stack thread only. Within a batch the stack calls, in the order things happen:
 * {@link #received} when bytes become in-order in a receive queue, {@link #appended} and
 * {@link #appendedFile} when the application queues bytes or a file region, {@link #image} for
 * every connection the batch changed (at the batch's end, after output), {@link #removed} when a
 * connection is gone; then {@link #commit} once. Every call of one batch belongs to record
 * {@link #currentRecord()}; frames whose content reveals that state wait for
 * {@link io.understudy.stack.NetStack#replicationAcked} of that record (output commit).
 */
public interface ReplicationLog {
    /**
     * The number of the record this batch's changes go into: 1, 2, 3… increasing by one per
     * committed record. A frame tagged with it leaves once the standby acknowledged it.
     */
    long currentRecord();

    /**
     * Bytes {@code [seq, seq + length)} just became in-order in {@code c}'s receive queue; copy
     * them now with {@link TcpConnection#copyReceived} (the application may consume them
     * before the batch ends).
     */
    void received(TcpConnection c, int seq, int length);

    /**
     * The application appended literal bytes {@code [seq, seq + length)} to {@code c}'s send
     * queue; copy them now with {@link TcpConnection#copySendQueue}.
     */
    void appended(TcpConnection c, int seq, int length);

    /** The application appended {@code region} (a file's bytes, by description) at {@code seq}. */
    void appendedFile(TcpConnection c, int seq, FileRegion region);

    /** The scalar state of a connection this batch changed; {@code image} is reused after the call. */
    void image(TcbImage image);

    /**
     * True while the standby falls behind (records shipped but not yet acknowledged pile up):
     * the stack then holds every frame, not only those revealing new state, until the record of
     * the moment is acknowledged — back-pressure that slows the clients down to what the standby
     * applies instead of letting the backlog grow until the standby must be given up.
     */
    default boolean congested() {
        return false;
    }

    /** The connection is gone (CLOSED): the standby forgets it. */
    void removed(TcpTuple tuple);

    /**
     * Ends the batch: the record {@link #currentRecord()} is complete (if anything was written
     * to it) and may be shipped; the next batch writes the next number.
     *
     * @return true if a record was committed (and the number advanced)
     */
    boolean commit(long now);
}
