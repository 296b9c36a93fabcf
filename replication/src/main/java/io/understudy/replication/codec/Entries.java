package io.understudy.replication.codec;

import io.understudy.stack.replication.TcbImage;
import java.nio.ByteBuffer;

/**
 * Flyweight views over the entries of a RECORD. Each entry on the wire is
 * {@code type u8 | reserved u8 | reserved u16 | length u32 | body × length}; every body begins
 * with the connection's 4-tuple {@code localAddr u32 | remoteAddr u32 | localPort u16 | remotePort u16}.
 * Offsets below are relative to the body. {@link RecordReader} validates the length of each
 * entry before it wraps a view, so no accessor reads outside the entry.
 */
public final class Entries {
    private Entries() {}

    static final int HEADER_TYPE = 0, HEADER_RESERVED = 1, HEADER_LENGTH_FIELD = 4, HEADER_LENGTH = 8;
    static final int LOCAL_ADDR = 0, REMOTE_ADDR = 4, LOCAL_PORT = 8, REMOTE_PORT = 10, TUPLE_LENGTH = 12;

    /** Common part: the 4-tuple. */
    public abstract static class Entry {
        ByteBuffer buf;
        int at;
        int length;

        void wrap(ByteBuffer buf, int at, int length) { this.buf = buf; this.at = at; this.length = length; }

        public abstract EntryType type();
        public final int localAddr() { return buf.getInt(at + LOCAL_ADDR); }
        public final int remoteAddr() { return buf.getInt(at + REMOTE_ADDR); }
        public final int localPort() { return buf.getShort(at + LOCAL_PORT) & 0xFFFF; }
        public final int remotePort() { return buf.getShort(at + REMOTE_PORT) & 0xFFFF; }
        /** Length of this entry's body in bytes. */
        public final int length() { return length; }
    }

    static void writeTuple(ByteBuffer buf, int at, int localAddr, int localPort, int remoteAddr, int remotePort) {
        buf.putInt(at + LOCAL_ADDR, localAddr);
        buf.putInt(at + REMOTE_ADDR, remoteAddr);
        buf.putShort(at + LOCAL_PORT, (short) localPort);
        buf.putShort(at + REMOTE_PORT, (short) remotePort);
    }

    /**
     * Every field of a {@link TcbImage}, so the standby's shadow holds the connection's whole scalar
     * state after each batch that changed it:
     * {@code tuple | state u8 | sndWscale u8 | rcvWscale u8 | reserved u8 | flags u32 | peerMss u32 |
     * iss u32 | irs u32 | sndUna u32 | sndEnd u32 | sndWnd u32 | sndWl1 u32 | sndWl2 u32 | maxSndWnd u32 |
     * rcvNxt u32 | rcvWndEdge u32 | readSeq u32 | tsOffset u32 | tsRecent u32 | reserved u32 |
     * srttNanos u64 | rttvarNanos u64 | receiveOffset u64 | sendOffset u64 | markReceiveOffset u64 |
     * markSendOffset u64 | markWord u64 | peerMac u64}. The image's own 4-tuple fields travel in the entry's tuple.
     */
    public static final class TcbImageEntry extends Entry {
        static final int STATE = 12, SND_WSCALE = 13, RCV_WSCALE = 14, RESERVED = 15, FLAGS = 16, PEER_MSS = 20,
                         ISS = 24, IRS = 28, SND_UNA = 32, SND_END = 36, SND_WND = 40, SND_WL1 = 44, SND_WL2 = 48,
                         MAX_SND_WND = 52, RCV_NXT = 56, RCV_WND_EDGE = 60, READ_SEQ = 64, TS_OFFSET = 68,
                         TS_RECENT = 72, RESERVED2 = 76, SRTT = 80, RTTVAR = 88, RECEIVE_OFFSET = 96,
                         SEND_OFFSET = 104, MARK_RECEIVE_OFFSET = 112, MARK_SEND_OFFSET = 120, MARK_WORD = 128,
                         PEER_MAC = 136, LENGTH = 144;

        @Override public EntryType type() { return EntryType.TCB_IMAGE; }
        public int state() { return buf.get(at + STATE) & 0xFF; }
        public int flags() { return buf.getInt(at + FLAGS); }
        public int sndUna() { return buf.getInt(at + SND_UNA); }
        public int sndEnd() { return buf.getInt(at + SND_END); }
        public int rcvNxt() { return buf.getInt(at + RCV_NXT); }
        public int readSeq() { return buf.getInt(at + READ_SEQ); }

        /** Copies every field into {@code image} (allocation-free); returns it. */
        public TcbImage copyTo(TcbImage image) {
            image.localIp = localAddr();
            image.remoteIp = remoteAddr();
            image.localPort = localPort();
            image.remotePort = remotePort();
            image.state = state();
            image.sndWscale = buf.get(at + SND_WSCALE) & 0xFF;
            image.rcvWscale = buf.get(at + RCV_WSCALE) & 0xFF;
            image.flags = flags();
            image.peerMss = buf.getInt(at + PEER_MSS);
            image.iss = buf.getInt(at + ISS);
            image.irs = buf.getInt(at + IRS);
            image.sndUna = sndUna();
            image.sndEnd = sndEnd();
            image.sndWnd = buf.getInt(at + SND_WND);
            image.sndWl1 = buf.getInt(at + SND_WL1);
            image.sndWl2 = buf.getInt(at + SND_WL2);
            image.maxSndWnd = buf.getInt(at + MAX_SND_WND);
            image.rcvNxt = rcvNxt();
            image.rcvWndEdge = buf.getInt(at + RCV_WND_EDGE);
            image.readSeq = readSeq();
            image.tsOffset = buf.getInt(at + TS_OFFSET);
            image.tsRecent = buf.getInt(at + TS_RECENT);
            image.srttNanos = buf.getLong(at + SRTT);
            image.rttvarNanos = buf.getLong(at + RTTVAR);
            image.receiveOffset = buf.getLong(at + RECEIVE_OFFSET);
            image.sendOffset = buf.getLong(at + SEND_OFFSET);
            image.markReceiveOffset = buf.getLong(at + MARK_RECEIVE_OFFSET);
            image.markSendOffset = buf.getLong(at + MARK_SEND_OFFSET);
            image.markWord = buf.getLong(at + MARK_WORD);
            image.peerMac = buf.getLong(at + PEER_MAC);
            return image;
        }

        static void write(ByteBuffer buf, int at, TcbImage i) {
            buf.put(at + STATE, (byte) i.state);
            buf.put(at + SND_WSCALE, (byte) i.sndWscale);
            buf.put(at + RCV_WSCALE, (byte) i.rcvWscale);
            buf.put(at + RESERVED, (byte) 0);
            buf.putInt(at + FLAGS, i.flags);
            buf.putInt(at + PEER_MSS, i.peerMss);
            buf.putInt(at + ISS, i.iss);
            buf.putInt(at + IRS, i.irs);
            buf.putInt(at + SND_UNA, i.sndUna);
            buf.putInt(at + SND_END, i.sndEnd);
            buf.putInt(at + SND_WND, i.sndWnd);
            buf.putInt(at + SND_WL1, i.sndWl1);
            buf.putInt(at + SND_WL2, i.sndWl2);
            buf.putInt(at + MAX_SND_WND, i.maxSndWnd);
            buf.putInt(at + RCV_NXT, i.rcvNxt);
            buf.putInt(at + RCV_WND_EDGE, i.rcvWndEdge);
            buf.putInt(at + READ_SEQ, i.readSeq);
            buf.putInt(at + TS_OFFSET, i.tsOffset);
            buf.putInt(at + TS_RECENT, i.tsRecent);
            buf.putInt(at + RESERVED2, 0);
            buf.putLong(at + SRTT, i.srttNanos);
            buf.putLong(at + RTTVAR, i.rttvarNanos);
            buf.putLong(at + RECEIVE_OFFSET, i.receiveOffset);
            buf.putLong(at + SEND_OFFSET, i.sendOffset);
            buf.putLong(at + MARK_RECEIVE_OFFSET, i.markReceiveOffset);
            buf.putLong(at + MARK_SEND_OFFSET, i.markSendOffset);
            buf.putLong(at + MARK_WORD, i.markWord);
            buf.putLong(at + PEER_MAC, i.peerMac);
        }
    }

    /** Literal stream bytes: {@code tuple | seq u32 | dataLength u32 | data × dataLength}. */
    public abstract static class BytesEntry extends Entry {
        static final int SEQ = 12, DATA_LENGTH = 16, DATA = 20, MIN_LENGTH = DATA;

        public final int seq() { return buf.getInt(at + SEQ); }
        public final int dataLength() { return buf.getInt(at + DATA_LENGTH); }
        /** Absolute offset of the data in {@link #buffer()}. */
        public final int dataOffset() { return at + DATA; }
        public final ByteBuffer buffer() { return buf; }
        public final byte dataByte(int i) { return buf.get(at + DATA + i); }
        /** Copies the data into {@code dst} at {@code dstAt} (absolute; {@code dst}'s position is unchanged). */
        public final void copyData(ByteBuffer dst, int dstAt) { dst.put(dstAt, buf, at + DATA, dataLength()); }

        static boolean validLength(ByteBuffer buf, int at, int length) {
            return length >= MIN_LENGTH && (buf.getInt(at + DATA_LENGTH) & 0xFFFFFFFFL) + DATA == length;
        }
    }

    /** Bytes appended to the receive queue. */
    public static final class RcvData extends BytesEntry {
        @Override public EntryType type() { return EntryType.RCV_DATA; }
    }

    /** Bytes the application appended to the send queue. */
    public static final class SndBytes extends BytesEntry {
        @Override public EntryType type() { return EntryType.SND_BYTES; }
    }

    /**
     * A region of a file appended to the send queue:
     * {@code tuple | seq u32 | pathLength u32 | offset u64 | length u64 | fileSize u64 | mtimeNanos u64 |
     * inode u64 | path UTF-8 × pathLength}.
     */
    public static final class SndFile extends Entry {
        static final int SEQ = 12, PATH_LENGTH = 16, OFFSET = 20, FILE_LENGTH = 28, FILE_SIZE = 36,
                         MTIME_NANOS = 44, INODE = 52, PATH = 60, MIN_LENGTH = PATH;

        @Override public EntryType type() { return EntryType.SND_FILE; }
        public int seq() { return buf.getInt(at + SEQ); }
        public long offset() { return buf.getLong(at + OFFSET); }
        public long fileLength() { return buf.getLong(at + FILE_LENGTH); }
        public long fileSize() { return buf.getLong(at + FILE_SIZE); }
        public long mtimeNanos() { return buf.getLong(at + MTIME_NANOS); }
        public long inode() { return buf.getLong(at + INODE); }
        public int pathLength() { return buf.getInt(at + PATH_LENGTH); }
        /** Absolute offset of the UTF-8 path in {@link #buffer()}. */
        public int pathOffset() { return at + PATH; }
        public ByteBuffer buffer() { return buf; }
        /** Decodes the path (allocates). */
        public String path() {
            byte[] bytes = new byte[pathLength()];
            buf.get(at + PATH, bytes);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }

        static boolean validLength(ByteBuffer buf, int at, int length) {
            return length >= MIN_LENGTH && (buf.getInt(at + PATH_LENGTH) & 0xFFFFFFFFL) + PATH == length;
        }
    }

    /** The connection is gone: {@code tuple}. */
    public static final class TcbRemove extends Entry {
        static final int LENGTH = TUPLE_LENGTH;

        @Override public EntryType type() { return EntryType.TCB_REMOVE; }
    }
}
