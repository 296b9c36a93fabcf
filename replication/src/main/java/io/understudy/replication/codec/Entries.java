package io.understudy.replication.codec;

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
     * A new connection with its negotiated options:
     * {@code tuple | iss u32 | irs u32 | state u8 | options u8 (bit0 SACK permitted, bit1 timestamps) |
     * sndWindowScale i8 | rcvWindowScale i8 | sendMss u16 | reserved u16 | tsOffset u32 | tsRecent u32}.
     * A window scale of -1 means the option was not negotiated.
     */
    public static final class TcbNew extends Entry {
        static final int ISS = 12, IRS = 16, STATE = 20, OPTIONS = 21, SND_WSCALE = 22, RCV_WSCALE = 23,
                         SEND_MSS = 24, RESERVED = 26, TS_OFFSET = 28, TS_RECENT = 32, LENGTH = 36;
        static final int SACK_PERMITTED = 1, TIMESTAMPS = 2;

        @Override public EntryType type() { return EntryType.TCB_NEW; }
        public int iss() { return buf.getInt(at + ISS); }
        public int irs() { return buf.getInt(at + IRS); }
        public int state() { return buf.get(at + STATE) & 0xFF; }
        public boolean sackPermitted() { return (buf.get(at + OPTIONS) & SACK_PERMITTED) != 0; }
        public boolean timestamps() { return (buf.get(at + OPTIONS) & TIMESTAMPS) != 0; }
        public int sndWindowScale() { return buf.get(at + SND_WSCALE); }
        public int rcvWindowScale() { return buf.get(at + RCV_WSCALE); }
        public int sendMss() { return buf.getShort(at + SEND_MSS) & 0xFFFF; }
        public int tsOffset() { return buf.getInt(at + TS_OFFSET); }
        public int tsRecent() { return buf.getInt(at + TS_RECENT); }
    }

    /**
     * Sequence variables, windows and state:
     * {@code tuple | state u8 | reserved 3 | sndUna u32 | sndNxt u32 | sndMax u32 | sndWnd u32 |
     * rcvNxt u32 | rcvWnd u32 | tsRecent u32}. Windows are unscaled byte counts.
     */
    public static final class TcbUpdate extends Entry {
        static final int STATE = 12, RESERVED = 13, SND_UNA = 16, SND_NXT = 20, SND_MAX = 24, SND_WND = 28,
                         RCV_NXT = 32, RCV_WND = 36, TS_RECENT = 40, LENGTH = 44;

        @Override public EntryType type() { return EntryType.TCB_UPDATE; }
        public int state() { return buf.get(at + STATE) & 0xFF; }
        public int sndUna() { return buf.getInt(at + SND_UNA); }
        public int sndNxt() { return buf.getInt(at + SND_NXT); }
        public int sndMax() { return buf.getInt(at + SND_MAX); }
        public long sndWnd() { return buf.getInt(at + SND_WND) & 0xFFFFFFFFL; }
        public int rcvNxt() { return buf.getInt(at + RCV_NXT); }
        public long rcvWnd() { return buf.getInt(at + RCV_WND) & 0xFFFFFFFFL; }
        public int tsRecent() { return buf.getInt(at + TS_RECENT); }
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

    /** The application consumed the receive queue up to a sequence: {@code tuple | readSeq u32}. */
    public static final class RcvConsumed extends Entry {
        static final int READ_SEQ = 12, LENGTH = 16;

        @Override public EntryType type() { return EntryType.RCV_CONSUMED; }
        public int readSeq() { return buf.getInt(at + READ_SEQ); }
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
