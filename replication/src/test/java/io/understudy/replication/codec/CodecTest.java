package io.understudy.replication.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.replication.TcbImage;
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
            "0000002C 01 02 0000 0000000000000001"       // length 44, HELLO, v2, flags, seq 1
            + "0001 01 00 0A000001 020000000001 0002"   // proto 1, PRIMARY, rsvd, 10.0.0.1, MAC, 2 ports
            + "0102030405060708 0050 01BB"              // fingerprint, 80, 443
            + "D86875FB";                               // crc32c (computed by an independent bitwise CRC32C)

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
            "00000046 05 02 0001 0000000000000007"      // length 70, RECORD, v2, flags LAST_FRAGMENT, seq 7
            + "00000002"                                // 2 entries
            + "07 00 0000 0000000C 0A000001 0A000002 0050 9C40"                            // TCB_REMOVE
            + "03 00 0000 00000016 0A000001 0A000002 0050 9C40 11223344 00000002 6869"     // RCV_DATA "hi"
            + "662F9424";                                   // crc32c (computed by an independent bitwise CRC32C)

    @Test
    void recordGoldenBytes() {
        ByteBuffer b = junk(256);
        RecordWriter w = new RecordWriter(codec).begin(b, 0, b.capacity(), 7, 0);
        assertThat(w.tcbRemove(L, LP, R, RP)).isTrue();
        assertThat(w.rcvData(L, LP, R, RP, 0x11223344, ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)), 0, 2)).isTrue();
        int n = w.finish(FrameCodec.FLAG_LAST_FRAGMENT);
        assertThat(bytes(b, n)).isEqualTo(hex(RECORD_GOLDEN));

        FrameReader fr = readOne(hex(RECORD_GOLDEN));
        RecordReader rr = new RecordReader().wrap(fr.frame());
        assertThat(rr.count()).isEqualTo(2);
        assertThat(rr.next()).isTrue();
        assertThat(rr.type()).isEqualTo(EntryType.TCB_REMOVE);
        assertThat(rr.tcbRemove().remotePort()).isEqualTo(RP);
        assertThat(rr.next()).isTrue();
        assertThat(rr.rcvData().seq()).isEqualTo(0x11223344);
        assertThat(rr.rcvData().dataLength()).isEqualTo(2);
        assertThat(rr.next()).isFalse();
        assertThat(fr.frame().flags()).isEqualTo(FrameCodec.FLAG_LAST_FRAGMENT);
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
        w.tcbImage(sampleImage());
        w.rcvData(L, LP, R, RP, 0x12345679, data, 1, 5);
        w.sndBytes(L, LP, R, RP, 0xFFFFFFF1, data, 0, 0);
        w.sndFile(L, LP, R, RP, 0xFFFFFFF1, 1L << 33, 100_000_000L, (1L << 33) + 100_000_000L, 1_700_000_000_123_456_789L, 987654321L, path);
        w.tcbRemove(L, LP, R, RP);
        return w.finish();
    }

    /** An image with every field distinct and most of them using their top bits. */
    static TcbImage sampleImage() {
        TcbImage i = new TcbImage();
        i.localIp = L; i.localPort = LP; i.remoteIp = R; i.remotePort = RP;
        i.state = 4; i.flags = 0xFFF; i.sndWscale = 7; i.rcvWscale = 14; i.peerMss = 1460;
        i.iss = 0xFFFFFFF0; i.irs = 0x12345678; i.sndUna = 0xFFFFFFF1; i.sndEnd = 0x10; i.sndWnd = 0x7FFF_FFFF;
        i.sndWl1 = 0x12345679; i.sndWl2 = 0xFFFFFFF2; i.maxSndWnd = 0x0100_0000; i.rcvNxt = 0x1234567A;
        i.rcvWndEdge = 0x1244567A; i.readSeq = 0x12345679; i.tsOffset = 0xDEADBEEF; i.tsRecent = 0x01020304;
        i.srttNanos = 123_456_789L; i.rttvarNanos = 0x7FFF_FFFF_FFFF_FFFFL; i.receiveOffset = 1L << 40;
        i.sendOffset = (1L << 41) + 3; i.markReceiveOffset = (1L << 40) - 5; i.markSendOffset = -1;
        i.markWord = 0x8000_0000_0000_0001L; i.peerMac = 0xFEDC_BA98_7654L;
        return i;
    }

    static String fields(TcbImage i) {
        return java.util.Arrays.toString(new long[] {i.localIp, i.localPort, i.remoteIp, i.remotePort, i.state, i.flags,
            i.sndWscale, i.rcvWscale, i.peerMss, i.iss, i.irs, i.sndUna, i.sndEnd, i.sndWnd, i.sndWl1, i.sndWl2,
            i.maxSndWnd, i.rcvNxt, i.rcvWndEdge, i.readSeq, i.tsOffset, i.tsRecent, i.srttNanos, i.rttvarNanos,
            i.receiveOffset, i.sendOffset, i.markReceiveOffset, i.markSendOffset, i.markWord, i.peerMac});
    }

    @Test
    void tcbImageCarriesEveryField() {
        // Every field of TcbImage is public state the standby needs: a field added to TcbImage
        // and not to the entry shows up here as a count mismatch.
        long instanceFields = java.util.Arrays.stream(TcbImage.class.getDeclaredFields())
                .filter(f -> !java.lang.reflect.Modifier.isStatic(f.getModifiers())).count();
        assertThat(instanceFields).isEqualTo(30);
        ByteBuffer b = junk(1024);
        RecordWriter w = new RecordWriter(codec).begin(b, 0, b.capacity(), 1, FrameCodec.FLAG_SNAPSHOT);
        assertThat(w.tcbImage(sampleImage())).isTrue();
        int n = w.finish(FrameCodec.FLAG_SNAPSHOT | FrameCodec.FLAG_LAST_FRAGMENT);
        FrameReader fr = readOne(bytes(b, n));
        assertThat(fr.frame().flags()).isEqualTo(FrameCodec.FLAG_SNAPSHOT | FrameCodec.FLAG_LAST_FRAGMENT);
        RecordReader r = new RecordReader().wrap(fr.frame());
        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.TCB_IMAGE);
        TcbImage copy = new TcbImage();
        copy.markSendOffset = 99; // overwritten
        assertThat(fields(r.tcbImage().copyTo(copy))).isEqualTo(fields(sampleImage()));
        assertThat(r.next()).isFalse();
        assertThat(r.reject()).isNull();
    }

    @Test
    void bytesSlotTakesDataStraightIntoTheFrame() {
        ByteBuffer b = junk(200);
        RecordWriter w = new RecordWriter(codec).begin(b, 0, b.capacity(), 3, 0);
        int room = w.bytesRoom();
        assertThat(room).isEqualTo(200 - 16 - 4 - 8 - 20 - 4);
        int at = w.bytesSlot(EntryType.SND_BYTES, L, LP, R, RP, 77, room);
        for (int i = 0; i < room; i++) b.put(at + i, (byte) i);
        assertThat(w.bytesRoom()).isZero();
        assertThat(w.bytesSlot(EntryType.RCV_DATA, L, LP, R, RP, 78, 1)).isEqualTo(-1);
        int n = w.finish();
        assertThat(n).isEqualTo(200);
        RecordReader r = new RecordReader().wrap(readOne(bytes(b, n)).frame());
        assertThat(r.next()).isTrue();
        assertThat(r.sndBytes().seq()).isEqualTo(77);
        assertThat(r.sndBytes().dataLength()).isEqualTo(room);
        assertThat(r.sndBytes().dataByte(room - 1)).isEqualTo((byte) (room - 1));
    }

    @Test
    void welcomeRoundTrips() {
        ByteBuffer b = junk(128);
        byte[] secret = new byte[16];
        for (int i = 0; i < 16; i++) secret[i] = (byte) (0xF0 + i);
        int n = codec.welcome(b, 0, 0, -5L, 1L << 50, secret);
        FrameReader r = readOne(bytes(b, n));
        assertThat(r.frame().type()).isEqualTo(MessageType.WELCOME);
        Welcome w = new Welcome().wrap(r.frame());
        assertThat(w.monotonicNanos()).isEqualTo(-5L);
        assertThat(w.nextRecord()).isEqualTo(1L << 50);
        assertThat(w.secret()).isEqualTo(secret);
        assertThat(rejectOf(frame(MessageType.WELCOME, 31))).isEqualTo(FrameReject.BAD_BODY_LENGTH);
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
        assertThat(r.count()).isEqualTo(5);

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.TCB_IMAGE);
        assertThat(fields(r.tcbImage().copyTo(new TcbImage()))).isEqualTo(fields(sampleImage()));

        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(EntryType.RCV_DATA);
        assertThat(r.rcvData().seq()).isEqualTo(0x12345679);
        assertThat(r.rcvData().dataLength()).isEqualTo(5);
        ByteBuffer copy = ByteBuffer.allocate(5);
        r.rcvData().copyData(copy, 0);
        assertThat(new String(copy.array(), StandardCharsets.US_ASCII)).isEqualTo("hello");

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
                    assertThat(entries).isEqualTo(5);
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
        for (int version : new int[] {FrameCodec.VERSION - 1, FrameCodec.VERSION + 1}) {
            byte[] f = hex(HELLO_GOLDEN);
            f[5] = (byte) version;
            FrameReader r = new FrameReader(MAX);
            r.append(ByteBuffer.wrap(reseal(f)));
            assertThat(r.poll()).isEqualTo(FrameReader.Status.REJECTED);
            assertThat(r.reject()).isEqualTo(FrameReject.UNSUPPORTED_VERSION);
        }
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
        assertThat(entryRejectOf("00000001 01000000 0000000C" + TUPLE)).isEqualTo(EntryReject.BAD_ENTRY_LENGTH); // TCB_IMAGE too short
        assertThat(entryRejectOf("00000001 04000000 0000000C" + TUPLE)).isEqualTo(EntryReject.UNKNOWN_ENTRY_TYPE); // retired RCV_CONSUMED
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
                case WELCOME: sink += new Welcome().wrap(f).nextRecord() + new Welcome().wrap(f).secret()[15]; break;
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
            case TCB_IMAGE: return s + rr.tcbImage().rcvNxt() + rr.tcbImage().flags() + rr.tcbImage().sndEnd();
            case RCV_DATA: {
                Entries.RcvData d = rr.rcvData();
                for (int i = 0; i < d.dataLength(); i++) s += d.dataByte(i);
                return s;
            }
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
        n += codec.welcome(b, n, 5, 6, 7, new byte[16]);
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

    static final TcbImage IMAGE = sampleImage();
    static final TcbImage DECODED = new TcbImage();

    static long roundTrip(int i, ByteBuffer out, ByteBuffer payload, byte[] path, RecordWriter w, FrameReader fr, RecordReader rr) {
        w.begin(out, 0, out.capacity(), i, 0);
        IMAGE.remotePort = RP + (i & 7);
        IMAGE.sndUna = i;
        w.tcbImage(IMAGE);
        w.rcvData(L, LP, R, RP, i * 3, payload, 0, 100);
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
                    case TCB_IMAGE: sink += rr.tcbImage().copyTo(DECODED).sndUna; break;
                    case RCV_DATA: sink += rr.rcvData().dataLength() + rr.rcvData().dataByte(99); break;
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
