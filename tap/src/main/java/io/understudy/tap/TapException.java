package io.understudy.tap;

import java.io.IOException;

/**
 * A TAP device operation failed. The message is one line naming the cause and, where
 * there is one, the fix.
 */
public final class TapException extends IOException {
    private final int errno;

    TapException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The C {@code errno} behind this failure, or 0 when it did not come from a system call. */
    public int errno() {
        return errno;
    }
}
