package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.httpd.RequestDecoder.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Feeds bytes to a {@link RequestDecoder} in given pieces the way a server would, and records the outcome. */
final class Decoding {
    /**
     * Everything a sequence of pieces decoded to.
     *
     * @param requests   complete requests, in order
     * @param heads      heads reported at HEAD_READY, in order
     * @param error      the error that ended decoding, or null
     * @param midMessage whether the input ended inside a request
     */
    record Outcome(List<Request> requests, List<RequestHead> heads, DecodeError error, boolean midMessage) {
        Request only() {
            assertThat(error).as("error").isNull();
            assertThat(requests).hasSize(1);
            return requests.get(0);
        }

        int status() {
            assertThat(error).as("decode error").isNotNull();
            return error.status();
        }
    }

    private Decoding() { }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static Outcome whole(Limits limits, byte[] in) {
        return pieces(limits, in, new int[0]);
    }

    static Outcome whole(byte[] in) {
        return whole(Limits.DEFAULT, in);
    }

    static Outcome whole(String in) {
        return whole(bytes(in));
    }

    static Outcome byteByByte(Limits limits, byte[] in) {
        int[] cuts = new int[Math.max(0, in.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return pieces(limits, in, cuts);
    }

    /** Cuts {@code in} at random positions, about one every {@code meanPiece} bytes. */
    static Outcome randomPieces(Limits limits, byte[] in, Random random, int meanPiece) {
        List<Integer> cuts = new ArrayList<>();
        for (int at = 1 + random.nextInt(meanPiece * 2); at < in.length; at += 1 + random.nextInt(meanPiece * 2)) {
            cuts.add(at);
        }
        return pieces(limits, in, cuts.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Feeds {@code in} cut at the ascending positions {@code cuts}, each piece in its own buffer. */
    static Outcome pieces(Limits limits, byte[] in, int... cuts) {
        RequestDecoder d = new RequestDecoder(limits);
        List<Request> requests = new ArrayList<>();
        List<RequestHead> heads = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : in.length;
            // A piece in the middle of a larger array, so offsets and slices are exercised too.
            byte[] framed = new byte[to - from + 6];
            System.arraycopy(in, from, framed, 3, to - from);
            ByteBuffer piece = ByteBuffer.wrap(framed, 3, to - from);
            if (!feed(d, piece, requests, heads)) {
                return new Outcome(requests, heads, d.error(), false);
            }
            from = to;
        }
        return new Outcome(requests, heads, null, d.midMessage());
    }

    /** Decodes all of {@code piece}; false on ERROR. */
    static boolean feed(RequestDecoder d, ByteBuffer piece, List<Request> requests, List<RequestHead> heads) {
        while (true) {
            Status s = d.decode(piece);
            switch (s) {
                case REQUEST_READY -> {
                    requests.add(d.request());
                    d.next();
                }
                case HEAD_READY -> heads.add(d.head());
                case ERROR -> {
                    assertThat(d.error()).isNotNull();
                    return false;
                }
                case NEED_MORE -> {
                    assertThat(piece.hasRemaining()).as("NEED_MORE leaves nothing unconsumed").isFalse();
                    return true;
                }
            }
        }
    }
}
