package io.understudy.replication.codec;

/** Why {@link RecordReader} refused a RECORD body. */
public enum EntryReject {
    /** The body is shorter than the entry count field. */
    BODY_TOO_SHORT,
    /** Fewer than eight bytes remain where an entry header is expected (count says more entries follow). */
    HEADER_TRUNCATED,
    /** The entry's length field runs past the end of the body. */
    OVERRUNS_BODY,
    /** The entry type code is unknown. */
    UNKNOWN_ENTRY_TYPE,
    /** The entry's length does not match what its type (and its inner length fields) require. */
    BAD_ENTRY_LENGTH,
    /** Bytes remain after the counted entries. */
    TRAILING_BYTES
}
