package io.understudy.replication.codec;

/** Kinds of entry inside a RECORD, with their wire codes. */
public enum EntryType {
    TCB_IMAGE(1), RCV_DATA(3), SND_BYTES(5), SND_FILE(6), TCB_REMOVE(7);

    private static final EntryType[] BY_CODE = new EntryType[256];
    static {
        for (EntryType t : values()) BY_CODE[t.code] = t;
    }

    public final int code;

    EntryType(int code) { this.code = code; }

    /** The type for a wire code, or {@code null} if unknown. Allocation-free. */
    public static EntryType of(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }
}
