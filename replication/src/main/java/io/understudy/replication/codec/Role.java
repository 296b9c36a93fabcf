package io.understudy.replication.codec;

/** The role a peer announces in HELLO. */
public enum Role {
    PRIMARY(1), STANDBY(2);

    public final int code;

    Role(int code) { this.code = code; }

    /** The role for a wire code, or {@code null} if unknown. */
    public static Role of(int code) {
        return code == 1 ? PRIMARY : code == 2 ? STANDBY : null;
    }
}
