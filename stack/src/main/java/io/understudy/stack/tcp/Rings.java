package io.understudy.stack.tcp;

/**
 * Growth of the sequence-addressed rings of {@link ReceiveBuffer} and {@link SendBuffer}: byte
 * {@code s} of a ring of length {@code L} (a power of two) lives at {@code s & (L - 1)}, so a
 * longer ring puts the same bytes at other indexes.
 */
final class Rings {
    /** The ring of a buffer that has never held a byte. */
    static final byte[] NONE = new byte[0];

    private Rings() {}

    /**
     * A ring of the least power of two that holds {@code needed} bytes (more than
     * {@code ring.length}, so at least double it), holding the {@code live} bytes from sequence
     * number {@code from} that {@code ring} holds.
     */
    static byte[] grow(byte[] ring, int from, int live, int needed) {
        byte[] grown = new byte[Math.max(1, Integer.highestOneBit(needed - 1) << 1)];
        int oldMask = ring.length - 1, newMask = grown.length - 1;
        for (int seq = from, left = live; left > 0; ) {
            int n = Math.min(left, Math.min(ring.length - (seq & oldMask), grown.length - (seq & newMask)));
            System.arraycopy(ring, seq & oldMask, grown, seq & newMask, n);
            seq += n;
            left -= n;
        }
        return grown;
    }
}
