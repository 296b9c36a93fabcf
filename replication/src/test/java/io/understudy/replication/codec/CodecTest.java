package io.understudy.replication.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CodecTest {
    static final int MAX = 64 * 1024;
    static final int L = 0x0A000001, R = 0x0A000002, LP = 80, RP = 40000;

    final FrameCodec codec = new FrameCodec();

    static ByteBuffer junk(int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) b.put(i, (byte) 0xA5); // a forgotten field shows up
        return b;
    }

    static byte[] bytes(ByteBuffer b, int length) {
        byte[] out = new byte[length];
        b.get(0, out);
        return out;
    }

    static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    /** Feeds a whole frame and returns the reader positioned on it (asserting FRAME). */
    static FrameReader readOne(byte[] frame) {
        FrameReader r = new FrameReader(MAX);
        r.append(ByteBuffer.wrap(frame));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.FRAME);
        return r;
    }

    static FrameReader.Status statusOf(byte[] frame, int max) {
        FrameReader r = new FrameReader(max);
        r.append(ByteBuffer.wrap(frame));
        return r.poll();
    }

    @Test
    void crc32cCheckValue() {
        CRC32C c = new CRC32C();
        c.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.getValue()).isEqualTo(0xE3069283L);
    }

    static final String HELLO_GOLDEN =
            "0000002C 01 01 0000 0000000000000001"       // length 44, HELLO, v1, flags, seq 1
            + "0001 01 00 0A000001 020000000001 0002"   // proto 1, PRIMARY, rsvd, 10.0.0.1, MAC, 2 ports
            + "0102030405060708 0050 01BB"              // fingerprint, 80, 443
            + "B96A7679";                               // crc32c (computed by an independent bitwise CRC32C)

    @Test
    void helloGoldenBytes() {
        ByteBuffer b = junk(128);
        int n = codec.hello(b, 0, 1, 1, Role.PRIMARY, L, 0x020000000001L, 0x0102030405060708L, new int[] {80, 443}, 2);
        assertThat(bytes(b, n)).isEqualTo(hex(HELLO_GOLDEN));

        FrameReader r = readOne(hex(HELLO_GOLDEN));
        Frame f = r.frame();
        assertThat(f.type()).isEqualTo(MessageType.HELLO);
        assertThat(f.sequence()).isEqualTo(1);
        Hello h = new Hello().wrap(f);
        assertThat(h.protocolVersion()).isEqualTo(1);
        assertThat(h.role()).isEqualTo(Role.PRIMARY);
        assertThat(h.serviceIpv4()).isEqualTo(L);
        assertThat(h.serviceMac()).isEqualTo(0x020000000001L);
        assertThat(h.portCount()).isEqualTo(2);
        assertThat(h.port(0)).isEqualTo(80);
        assertThat(h.port(1)).isEqualTo(443);
        assertThat(h.configFingerprint()).isEqualTo(0x0102030405060708L);
    }

    static final String RECORD_GOLDEN =
            "00000040 05 01 0000 0000000000000007"      // length 64, RECORD, v1, flags, seq 7
            + "00000002"                                // 2 entries
            + "07 00 0000 0000000C 0A000001 0A000002 0050 9C40"            // TCB_REMOVE
            + "04 00 0000 00000010 0A000001 0A000002 0050 9C40 11223344"   // RCV_CONSUMED
            + "4DCE9AD0";

    @Test
    void recordGoldenBytes() {
        ByteBuffer b = junk(256);
        RecordWriter w = new RecordWriter(codec).begin(b, 0, b.capacity(), 7, 0);
        assertThat(w.tcbRemove(L, LP, R, RP)).isTrue();
        assertThat(w.rcvConsumed(L, LP, R, RP, 0x11223344)).isTrue();
        int n = w.finish();
        assertThat(bytes(b, n)).isEqualTo(hex(RECORD_GOLDEN));

        FrameReader fr = readOne(hex(RECORD_GOLDEN));
        RecordReader rr = new RecordReader().wrap(fr.frame());
        assertThat(rr.count()).isEqualTo(2);
        assertThat(rr.next()).isTrue();
        assertThat(rr.type()).isEqualTo(EntryType.TCB_REMOVE);
        assertThat(rr.tcbRemove().remotePort()).isEqualTo(RP);
        assertThat(rr.next()).isTrue();
        assertThat(rr.rcvConsumed().readSeq()).isEqualTo(0x11223344);
        assertThat(rr.next()).isFalse();
        assertThat(rr.reject()).isNull();
    }

    @Test
    void ackHeartbeatHelloRejectRoundTrip() {
        ByteBuffer b = junk(4096);
        int n = codec.ack(b, 0, 3, 0x8000_0000_0000_0001L);
        n += codec.heartbeat(b, n, 4, 123456789L, 77, 66);
        n += codec.helloReject(b, n, 5, HelloReject.CONFIG_MISMATCH, "fingerprint ≠".getBytes(StandardCharsets.UTF_8));
        FrameReader r = new FrameReader(MAX);
        r.append(b.limit(n).position(0));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.FRAME);
        assertThat(new Ack().wrap(r.frame()).acknowledged()).isEqualTo(0x8000_0000_0000_0001L);
        assertThat(r.poll()).isEqualTo(FrameReader.Status.FRAME);
        Heartbeat hb = new Heartbeat().wrap(r.frame());
        assertThat(r.frame().sequence()).isEqualTo(4);
        assertThat(hb.monotonicNanos()).isEqualTo(123456789L);
        assertThat(hb.lastSent()).isEqualTo(77);
        assertThat(hb.lastApplied()).isEqualTo(66);
        assertThat(r.poll()).isEqualTo(FrameReader.Status.FRAME);
        HelloReject hr = new HelloReject().wrap(r.frame());
        assertThat(hr.reasonCode()).isEqualTo(HelloReject.CONFIG_MISMATCH);
        assertThat(hr.text()).isEqualTo("fingerprint ≠");
        assertThat(r.poll()).isEqualTo(FrameReader.Status.NEED_MORE);
    }

    /** Writes one of each entry type; returns the frame length. */
    static int writeAllEntries(RecordWriter w, ByteBuffer b, ByteBuffer data, byte[] path) {
        w.begin(b, 0, b.capacity(), 42, 0x8001);
        w.tcbNew(L, LP, R, RP, 0xFFFFFFF0, 0x12345678, 3, 1460, 7, -1, true, true, 0xDEADBEEF, 0x01020304);
        w.tcbUpdate(L, LP, R, RP, 4, 0xFFFFFFF1, 0xFFFFFFF9, 0x00000010, 0xFFFFFFFFL, 0x12345679, 65535L * 128, 0x01020305);
        w.rcvData(L, LP, R, RP, 0x12345679, data, 1, 5);
        w.rcvConsumed(L, LP, R, RP, 0x1234567E);
        w.sndBytes(L, LP, R, RP, 0xFFFFFFF1, data, 0, 0);
        w.sndFile(L, LP, R, RP, 0xFFFFFFF1, 1L << 33, 100_000_000L, (1L << 33) + 100_000_000L, 1_700_000_000_123_456_789L, 987654321L, path);
        w.tcbRemove(L, LP, R, RP);
        return w.finish();
    }

    @Test
    void everyEntryTypeRoundTrips() {
        ByteBuffer b = junk(4096);
        ByteBuffer data = ByteBuffer.wrap("xhello".getBytes(StandardCharsets.US_ASCII));
        byte[] path = "/srv/www/größe.bin".getBytes(StandardCharsets.UTF_8);
        int n = writeAllEntries(new RecordWriter(codec), b, data, path);
        FrameReader fr = new FrameReader(MAX);
        fr.append(b.limit(n).position(0));
        assertThat(fr.poll()).isEqualTo(FrameReader.Status.FRAME);
        assertThat(fr.frame().flags()).isEqualTo(0x8001);
        assertThat(fr.frame().sequence()).isEqualTo(42);
        RecordReader r = new RecordReader().wrap(fr.frame());
        assertThat(r.count()).isEqualTo(7);

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.TCB_NEW);
        Entries.TcbNew nw = r.tcbNew();
        assertThat(new long[] {nw.localAddr(), nw.remoteAddr(), nw.localPort(), nw.remotePort()}).containsExactly(L, R, LP, RP);
        assertThat(nw.iss()).isEqualTo(0xFFFFFFF0);
        assertThat(nw.irs()).isEqualTo(0x12345678);
        assertThat(nw.state()).isEqualTo(3);
        assertThat(nw.sendMss()).isEqualTo(1460);
        assertThat(nw.sndWindowScale()).isEqualTo(7);
        assertThat(nw.rcvWindowScale()).isEqualTo(-1);
        assertThat(nw.sackPermitted()).isTrue();
        assertThat(nw.timestamps()).isTrue();
        assertThat(nw.tsOffset()).isEqualTo(0xDEADBEEF);
        assertThat(nw.tsRecent()).isEqualTo(0x01020304);

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.TCB_UPDATE);
        Entries.TcbUpdate u = r.tcbUpdate();
        assertThat(u.state()).isEqualTo(4);
        assertThat(u.sndUna()).isEqualTo(0xFFFFFFF1);
        assertThat(u.sndNxt()).isEqualTo(0xFFFFFFF9);
        assertThat(u.sndMax()).isEqualTo(0x10);
        assertThat(u.sndWnd()).isEqualTo(0xFFFFFFFFL);
        assertThat(u.rcvNxt()).isEqualTo(0x12345679);
        assertThat(u.rcvWnd()).isEqualTo(65535L * 128);
        assertThat(u.tsRecent()).isEqualTo(0x01020305);

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.RCV_DATA);
        assertThat(r.rcvData().seq()).isEqualTo(0x12345679);
        assertThat(r.rcvData().dataLength()).isEqualTo(5);
        ByteBuffer copy = ByteBuffer.allocate(5);
        r.rcvData().copyData(copy, 0);
        assertThat(new String(copy.array(), StandardCharsets.US_ASCII)).isEqualTo("hello");

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.RCV_CONSUMED);
        assertThat(r.rcvConsumed().readSeq()).isEqualTo(0x1234567E);

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.SND_BYTES);
        assertThat(r.sndBytes().seq()).isEqualTo(0xFFFFFFF1);
        assertThat(r.sndBytes().dataLength()).isZero();

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.SND_FILE);
        Entries.SndFile f = r.sndFile();
        assertThat(f.seq()).isEqualTo(0xFFFFFFF1);
        assertThat(f.offset()).isEqualTo(1L << 33);
        assertThat(f.fileLength()).isEqualTo(100_000_000L);
        assertThat(f.fileSize()).isEqualTo((1L << 33) + 100_000_000L);
        assertThat(f.mtimeNanos()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(f.inode()).isEqualTo(987654321L);
        assertThat(f.path()).isEqualTo("/srv/www/größe.bin");

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.TCB_REMOVE);
        assertThat(r.entry().localPort()).isEqualTo(LP);

        assertThat(r.next()).isFalse();
        assertThat(r.reject()).isNull();
    }

    @Test
    void writerRefusesEntriesPastTheLimit() {
        ByteBuffer b = junk(256);
        RecordWriter w = new RecordWriter(codec).begin(b, 0, 16 + 4 + 20 + 4 + 10, 1, 0);
        assertThat(w.tcbRemove(L, LP, R, RP)).isTrue();
        assertThat(w.tcbRemove(L, LP, R, RP)).isFalse();
        assertThat(w.sndBytes(L, LP, R, RP, 0, ByteBuffer.allocate(8), 0, 8)).isFalse();
        assertThat(w.count()).isEqualTo(1);
        int n = w.finish();
        assertThat(n).isEqualTo(44);
        assertThat(b.get(n)).isEqualTo((byte) 0xA5);
    }

    @Test
    void frameSplitAtEveryPosition() {
        ByteBuffer b = junk(4096);
        int n = writeAllEntries(new RecordWriter(codec), b, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}), new byte[] {'/', 'x'});
        n += codec.ack(b, n, 43, 42); // two frames back to back
        byte[] stream = bytes(b, n);
        FrameReader r = new FrameReader(MAX);
        for (int split = 0; split <= n; split++) {
            r.append(ByteBuffer.wrap(stream, 0, split));
            int frames = 0;
            FrameReader.Status s;
            while ((s = r.poll()) == FrameReader.Status.FRAME) frames++;
            assertThat(s).isEqualTo(FrameReader.Status.NEED_MORE);
            r.append(ByteBuffer.wrap(stream, split, n - split));
            while ((s = r.poll()) == FrameReader.Status.FRAME) {
                frames++;
                if (r.frame().type() == MessageType.RECORD) {
                    RecordReader rr = new RecordReader().wrap(r.frame());
                    int entries = 0;
                    while (rr.next()) entries++;
                    assertThat(entries).isEqualTo(7);
                    assertThat(rr.reject()).isNull();
                }
            }
            assertThat(s).isEqualTo(FrameReader.Status.NEED_MORE);
            assertThat(frames).as("split at %d", split).isEqualTo(2);
            assertThat(r.buffered()).isZero();
        }
        // and one byte at a time
        FrameReader one = new FrameReader(MAX);
        int frames = 0;
        for (int i = 0; i < n; i++) {
            one.append(ByteBuffer.wrap(stream, i, 1));
            while (one.poll() == FrameReader.Status.FRAME) frames++;
        }
        assertThat(frames).isEqualTo(2);
    }

    @Test
    void readerCompactsWhenTheBufferFillsUp() {
        ByteBuffer b = junk(64);
        int n = codec.ack(b, 0, 1, 1); // 28 bytes
        byte[] frame = bytes(b, n);
        FrameReader r = new FrameReader(n - 4); // buffer holds exactly one frame
        for (int i = 0; i < 10; i++) {
            ByteBuffer src = ByteBuffer.wrap(frame, 0, 10);
            assertThat(r.append(src)).isEqualTo(10);
            assertThat(r.poll()).isEqualTo(FrameReader.Status.NEED_MORE);
            r.append(ByteBuffer.wrap(frame, 10, n - 10));
            assertThat(r.poll()).isEqualTo(FrameReader.Status.FRAME);
            assertThat(r.frame().sequence()).isEqualTo(1);
        }
    }

    // ---- rejections -------------------------------------------------------------------------

    /** Re-seals a frame's CRC after a test mutated it, so the next check is the one exercised. */
    static byte[] reseal(byte[] frame) {
        CRC32C c = new CRC32C();
        c.update(frame, 4, frame.length - 8);
        ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) c.getValue());
        return frame;
    }

    @Test
    void rejectsLengthOverMaximumFromTheFirstFourBytes() {
        FrameReader r = new FrameReader(100);
        r.append(ByteBuffer.wrap(hex("00000065")));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        assertThat(r.reject()).isEqualTo(FrameReject.TOO_LONG);
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        FrameReader huge = new FrameReader(100);
        huge.append(ByteBuffer.wrap(hex("FFFFFFFF")));
        assertThat(huge.poll()).isEqualTo(FrameReader.Status.REJECTED);
        assertThat(huge.reject()).isEqualTo(FrameReject.TOO_LONG);
    }

    @Test
    void rejectsLengthTooShort() {
        FrameReader r = new FrameReader(100);
        r.append(ByteBuffer.wrap(hex("0000000F")));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        assertThat(r.reject()).isEqualTo(FrameReject.TOO_SHORT);
    }

    @Test
    void rejectsBadCrc() {
        byte[] f = hex(HELLO_GOLDEN);
        f[20] ^= 1;
        FrameReader r = new FrameReader(MAX);
        r.append(ByteBuffer.wrap(f));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        assertThat(r.reject()).isEqualTo(FrameReject.BAD_CRC);
    }

    @Test
    void rejectsUnknownType() {
        byte[] f = hex(HELLO_GOLDEN);
        f[4] = 99;
        FrameReader r = new FrameReader(MAX);
        r.append(ByteBuffer.wrap(reseal(f)));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        assertThat(r.reject()).isEqualTo(FrameReject.UNKNOWN_TYPE);
    }

    @Test
    void rejectsUnsupportedVersion() {
        byte[] f = hex(HELLO_GOLDEN);
        f[5] = 2;
        FrameReader r = new FrameReader(MAX);
        r.append(ByteBuffer.wrap(reseal(f)));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        assertThat(r.reject()).isEqualTo(FrameReject.UNSUPPORTED_VERSION);
    }

    @Test
    void rejectsBodyLengthWrongForItsType() {
        // HELLO claiming 3 ports but carrying 2
        byte[] hello = hex(HELLO_GOLDEN);
        hello[4 + 12 + 15] = 3;
        assertThat(rejectOf(reseal(hello))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
        // ACK with a 7-byte body, HEARTBEAT with 8, RECORD with 3, HELLO_REJECT text overrunning
        assertThat(rejectOf(frame(MessageType.ACK, 7))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
        assertThat(rejectOf(frame(MessageType.HEARTBEAT, 8))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
        assertThat(rejectOf(frame(MessageType.RECORD, 3))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
        assertThat(rejectOf(frame(MessageType.HELLO, 23))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
        byte[] rej = frame(MessageType.HELLO_REJECT, 6);
        rej[16 + 3] = 3; // text length 3, only 2 bytes present
        assertThat(rejectOf(reseal(rej))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
    }

    /** A frame of the given type with a zero body of the given length and a good CRC. */
    byte[] frame(MessageType type, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(20 + bodyLength);
        codec.begin(b, 0, type, 0, 9);
        return bytes(b, codec.finish(b, 0, bodyLength));
    }

    static FrameReject rejectOf(byte[] frame) {
        FrameReader r = new FrameReader(MAX);
        r.append(ByteBuffer.wrap(frame));
        assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
        return r.reject();
    }

    // ---- malformed RECORD bodies --------------------------------------------------------------

    static EntryReject entryRejectOf(String body) {
        byte[] b = hex(body);
        RecordReader r = new RecordReader().wrap(ByteBuffer.wrap(b), 0, b.length);
        while (r.next()) { /* consume */ }
        return r.reject();
    }

    static final String TUPLE = "0A000001 0A000002 0050 9C40";

    @Test
    void everyEntryRejection() {
        assertThat(entryRejectOf("000000")).isEqualTo(EntryReject.BODY_TOO_SHORT);
        assertThat(entryRejectOf("00000001 07000000 000000")).isEqualTo(EntryReject.HEADER_TRUNCATED);
        assertThat(entryRejectOf("00000002 07000000 0000000C" + TUPLE)).isEqualTo(EntryReject.HEADER_TRUNCATED);
        assertThat(entryRejectOf("00000001 07000000 0000000D" + TUPLE)).isEqualTo(EntryReject.OVERRUNS_BODY);
        assertThat(entryRejectOf("00000001 07000000 FFFFFFFF" + TUPLE)).isEqualTo(EntryReject.OVERRUNS_BODY);
        assertThat(entryRejectOf("00000001 63000000 0000000C" + TUPLE)).isEqualTo(EntryReject.UNKNOWN_ENTRY_TYPE);
        assertThat(entryRejectOf("00000001 07000000 0000000D" + TUPLE + "00")).isEqualTo(EntryReject.BAD_ENTRY_LENGTH);
        assertThat(entryRejectOf("00000001 07000000 00000000")).isEqualTo(EntryReject.BAD_ENTRY_LENGTH);
        assertThat(entryRejectOf("00000001 01000000 0000000C" + TUPLE)).isEqualTo(EntryReject.BAD_ENTRY_LENGTH);
        // RCV_DATA whose inner length (3) disagrees with the entry length (20 + 2)
        assertThat(entryRejectOf("00000001 03000000 00000016" + TUPLE + "00000001 00000003 AAAA"))
                .isEqualTo(EntryReject.BAD_ENTRY_LENGTH);
        // RCV_DATA whose inner length is huge
        assertThat(entryRejectOf("00000001 03000000 00000016" + TUPLE + "00000001 FFFFFFFE AAAA"))
                .isEqualTo(EntryReject.BAD_ENTRY_LENGTH);
        // SND_FILE whose path length disagrees
        assertThat(entryRejectOf("00000001 06000000 0000003D" + TUPLE + "00000001 00000002" + "00".repeat(40) + "2F"))
                .isEqualTo(EntryReject.BAD_ENTRY_LENGTH);
        assertThat(entryRejectOf("00000001 07000000 0000000C" + TUPLE + "00")).isEqualTo(EntryReject.TRAILING_BYTES);
        assertThat(entryRejectOf("00000000")).isNull();
    }

    // ---- fuzz ---------------------------------------------------------------------------------

    /** Drives a reader over arbitrary bytes, touching every field of every frame and entry it yields. */
    static long drain(FrameReader r, RecordReader rr) {
        long sink = 0;
        while (r.poll() == FrameReader.Status.FRAME) {
            Frame f = r.frame();
            sink += f.sequence() + f.flags();
            switch (f.type()) {
                case HELLO: {
                    Hello h = new Hello().wrap(f);
                    sink += h.serviceMac() + h.configFingerprint() + h.roleCode();
                    for (int i = 0; i < h.portCount(); i++) sink += h.port(i);
                    break;
                }
                case HELLO_REJECT: sink += new HelloReject().wrap(f).text().length(); break;
                case ACK: sink += new Ack().wrap(f).acknowledged(); break;
                case HEARTBEAT: sink += new Heartbeat().wrap(f).lastApplied(); break;
                case RECORD:
                    rr.wrap(f);
                    while (rr.next()) sink += touch(rr);
                    break;
                default: break;
            }
        }
        return sink;
    }

    static long touch(RecordReader rr) {
        long s = rr.entry().localAddr() + rr.entry().remotePort();
        switch (rr.type()) {
            case TCB_NEW: return s + rr.tcbNew().tsRecent() + rr.tcbNew().sendMss();
            case TCB_UPDATE: return s + rr.tcbUpdate().tsRecent() + rr.tcbUpdate().rcvWnd();
            case RCV_DATA: {
                Entries.RcvData d = rr.rcvData();
                for (int i = 0; i < d.dataLength(); i++) s += d.dataByte(i);
                return s;
            }
            case RCV_CONSUMED: return s + rr.rcvConsumed().readSeq();
            case SND_BYTES: {
                Entries.SndBytes d = rr.sndBytes();
                for (int i = 0; i < d.dataLength(); i++) s += d.dataByte(i);
                return s;
            }
            case SND_FILE: return s + rr.sndFile().path().length() + rr.sndFile().inode();
            default: return s;
        }
    }

    @Test
    void fuzzNeverThrows() {
        Random rnd = new Random(0x5EED);
        ByteBuffer b = junk(4096);
        int n = writeAllEntries(new RecordWriter(codec), b, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}), "/a/b".getBytes(StandardCharsets.UTF_8));
        n += codec.hello(b, n, 2, 1, Role.STANDBY, L, 0x0200000000AAL, 5, new int[] {80}, 1);
        n += codec.heartbeat(b, n, 3, 1, 2, 3);
        n += codec.helloReject(b, n, 4, 1, new byte[] {'n', 'o'});
        byte[] valid = bytes(b, n);
        RecordReader rr = new RecordReader();
        int accepted = 0;
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] input;
            if (iter % 2 == 0) {
                input = new byte[rnd.nextInt(200)];
                rnd.nextBytes(input);
                if (iter % 4 == 0 && input.length >= 4) { input[0] = 0; input[1] = 0; } // plausible length
            } else {
                input = valid.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) input[rnd.nextInt(input.length)] ^= (byte) (1 << rnd.nextInt(8));
                if (iter % 3 == 0) reseal(input); // CRC matches: exercise the deeper checks
            }
            FrameReader r = new FrameReader(1024);
            int at = 0;
            while (at < input.length) {
                int chunk = Math.min(input.length - at, 1 + rnd.nextInt(64));
                r.append(ByteBuffer.wrap(input, at, chunk));
                at += chunk;
                drain(r, rr);
            }
            if (r.reject() == null) accepted++;
            // The record reader alone on raw random bodies
            rr.wrap(ByteBuffer.wrap(input), 0, input.length);
            while (rr.next()) touch(rr);
        }
        assertThat(accepted).isGreaterThan(0);
    }

    // ---- allocation ---------------------------------------------------------------------------

    @Test
    void encodeAndDecodeOfARecordAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(mx.isThreadAllocatedMemorySupported()).isTrue();
        mx.setThreadAllocatedMemoryEnabled(true);
        long tid = Thread.currentThread().getId();

        ByteBuffer out = ByteBuffer.allocateDirect(4096);
        ByteBuffer payload = ByteBuffer.allocateDirect(512);
        for (int i = 0; i < 512; i++) payload.put(i, (byte) i);
        byte[] path = "/srv/www/index.html".getBytes(StandardCharsets.UTF_8);
        RecordWriter w = new RecordWriter(codec);
        FrameReader fr = new FrameReader(MAX);
        RecordReader rr = new RecordReader();

        long sink = 0;
        for (int i = 0; i < 50_000; i++) sink += roundTrip(i, out, payload, path, w, fr, rr); // warm-up (JIT)
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) sink += roundTrip(i, out, payload, path, w, fr, rr);
        long after = mx.getThreadAllocatedBytes(tid);
        assertThat(sink).isNotZero();
        assertThat(after - before).as("bytes allocated over 100k records").isLessThan(256);
    }

    static long roundTrip(int i, ByteBuffer out, ByteBuffer payload, byte[] path, RecordWriter w, FrameReader fr, RecordReader rr) {
        w.begin(out, 0, out.capacity(), i, 0);
        w.tcbUpdate(L, LP, R, RP + (i & 7), 4, i, i + 100, i + 100, 65535, i * 3, 65535, i);
        w.rcvData(L, LP, R, RP, i * 3, payload, 0, 100);
        w.rcvConsumed(L, LP, R, RP, i * 3 + 100);
        w.sndBytes(L, LP, R, RP, i + 100, payload, 100, 300);
        w.sndFile(L, LP, R, RP, i + 400, 0, 4096, 4096, 1L, 2L, path);
        int n = w.finish();
        out.limit(n).position(0);
        fr.append(out);
        out.clear();
        long sink = 0;
        while (fr.poll() == FrameReader.Status.FRAME) {
            rr.wrap(fr.frame());
            while (rr.next()) {
                switch (rr.type()) {
                    case TCB_UPDATE: sink += rr.tcbUpdate().sndNxt(); break;
                    case RCV_DATA: sink += rr.rcvData().dataLength() + rr.rcvData().dataByte(99); break;
                    case RCV_CONSUMED: sink += rr.rcvConsumed().readSeq(); break;
                    case SND_BYTES: sink += rr.sndBytes().seq(); break;
                    case SND_FILE: sink += rr.sndFile().inode() + rr.sndFile().pathLength(); break;
                    default: break;
                }
            }
            if (rr.reject() != null) throw new AssertionError(rr.reject());
        }
        return sink;
    }
}
