package io.understudy.stack.tcp;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The TCP layer's demultiplexing table: connections by (remote address, remote port, local
 * port) packed in a long — the local address is always ours. Open addressing with linear
 * probing and backward-shift deletion, so lookups allocate nothing. Grows by doubling.
 */
final class ConnectionTable<V> {
    /** No connection has local port 0, so no key equals this one. */
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys;
    private Object[] values;
    private int size;

    ConnectionTable(int initialCapacity) {
        int capacity = Integer.highestOneBit(Math.max(16, initialCapacity) * 2 - 1);
        keys = new long[capacity];
        values = new Object[capacity];
        Arrays.fill(keys, EMPTY);
    }

    /** The key of a connection to {@code remoteIp:remotePort} on our {@code localPort}. */
    static long key(int remoteIp, int remotePort, int localPort) {
        return (remoteIp & 0xFFFF_FFFFL) << 32 | (long) remotePort << 16 | localPort;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (V) values[i];
            }
            if (keys[i] == EMPTY) {
                return null;
            }
        }
    }

    /** Inserts or replaces. */
    void put(long key, V value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes {@code key}; harmless when absent. */
    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != key) {
            if (keys[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        size--;
        // Backward-shift: move later entries of the probe run into the hole when their home allows.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        values[hole] = null;
    }

    /** Visits every value; the visitor must not change the table. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<? super V> visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.accept((V) values[i]);
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
