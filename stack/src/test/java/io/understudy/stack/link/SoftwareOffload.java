package io.understudy.stack.link;

import io.understudy.stack.wire.Checksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel does with a frame a stack hands to a TAP with offloads, in software, for test
 * links: completes the checksums of a partial-checksum frame, and cuts a large TCPv4 segment into
 * MSS-sized ones (GSO).
 */
public final class SoftwareOffload {
    private SoftwareOffload() {}

    /** What the kernel's GSO does for TCPv4: copies of the headers, seq and IP id advanced, FIN/PSH on the last; each completed. */
    public static List<byte[]> segment(byte[] f, int gsoSize, int headerLength) {
        List<byte[]> out = new ArrayList<>();
        int payload = f.length - headerLength;
        ByteBuffer b = ByteBuffer.wrap(f);
        int seq = b.getInt(34 + 4);
        int id = b.getShort(14 + 4) & 0xFFFF;
        int flags = f[34 + 13] & 0xFF;
        for (int off = 0, i = 0; off < payload; off += gsoSize, i++) {
            int n = Math.min(gsoSize, payload - off);
            byte[] s = new byte[headerLength + n];
            System.arraycopy(f, 0, s, 0, headerLength);
            System.arraycopy(f, headerLength + off, s, headerLength, n);
            ByteBuffer sb = ByteBuffer.wrap(s);
            sb.putShort(14 + 2, (short) (s.length - 14));
            sb.putShort(14 + 4, (short) (id + i));
            sb.putInt(34 + 4, seq + off);
            boolean last = off + n == payload;
            s[34 + 13] = (byte) (last ? flags : flags & ~0x09); // FIN and PSH only on the last
            out.add(complete(s));
        }
        return out;
    }

    /** Recomputes the IP header checksum and the full TCP checksum of an Ethernet/IPv4/TCP frame. */
    public static byte[] complete(byte[] s) {
        ByteBuffer b = ByteBuffer.wrap(s);
        b.putShort(14 + 10, (short) 0);
        b.putShort(14 + 10, Checksum.finish(Checksum.sum(b, 14, 20, 0)));
        int tcpLength = s.length - 34;
        b.putShort(34 + 16, (short) 0);
        int pseudo = Checksum.pseudoHeader(b.getInt(14 + 12), b.getInt(14 + 16), 6, tcpLength);
        b.putShort(34 + 16, Checksum.finish(Checksum.sum(b, 34, tcpLength, pseudo)));
        return s;
    }
}
