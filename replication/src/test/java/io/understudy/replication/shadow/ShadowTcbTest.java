package io.understudy.replication.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.FrameReader;
import io.understudy.replication.codec.RecordReader;
import io.understudy.replication.codec.RecordWriter;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.tcp.TcpTuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a shadow keeps as images advance, and the adoption it makes. */
class ShadowTcbTest {
    static final TcpTuple T = new TcpTuple(0x0AC90002, 80, 0x0AC90001, 40000);
    static final Path FILE = Path.of("/srv/www/big.bin");

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String ascii(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** ESTABLISHED, nothing consumed, nothing sent: iss/irs given. */
    static TcbImage image(int iss, int irs) {
        TcbImage i = new TcbImage();
        i.localIp = T.localIp(); i.localPort = T.localPort(); i.remoteIp = T.remoteIp(); i.remotePort = T.remotePort();
        i.state = TcpState.ESTABLISHED.ordinal();
        i.iss = iss; i.irs = irs;
        i.sndUna = i.sndEnd = iss + 1;
        i.rcvNxt = i.readSeq = irs + 1;
        i.markSendOffset = -1;
        return i;
    }

    @Test
    void receivedBytesAreKeptFromTheResumeMark() {
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(1000, 5000);
        s.image(i);
        s.received(5001, ascii("GET /a HTTP/1.1\r\n\r\nGET /b"), 0, 25);
        i.rcvNxt = 5026;
        i.readSeq = 5020;           // the app consumed the first request...
        i.receiveOffset = 19;
        i.markReceiveOffset = 0;    // ...but its mark is still at its start
        s.image(i);
        assertThat(s.receivedBytes()).isEqualTo(25);
        Adoption a = s.adoption();
        assertThat(ascii(a.received())).isEqualTo("GET /a HTTP/1.1\r\n\r\nGET /b");
        i.markReceiveOffset = 19;   // the mark moves to the consumed point
        s.image(i);
        assertThat(s.receivedBytes()).isEqualTo(6);
        assertThat(s.receivedSeq()).isEqualTo(5020);
        assertThat(ascii(s.adoption().received())).isEqualTo("GET /b");
    }

    @Test
    void aFinIsNotAByte() {
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(1000, 5000);
        s.received(5001, ascii("bye"), 0, 3);
        i.rcvNxt = 5005;
        i.flags |= TcbImage.FIN_RECEIVED;
        i.state = TcpState.CLOSE_WAIT.ordinal();
        s.image(i);
        assertThat(ascii(s.adoption().received())).isEqualTo("bye");
    }

    @Test
    void bytesBeyondRcvNxtAreNotAdopted() {
        // a record cut short: the data entry arrived, the image that covers it did not
        ShadowTcb s = new ShadowTcb(T);
        s.image(image(1000, 5000));
        s.received(5001, ascii("early"), 0, 5);
        assertThat(s.adoption().received().remaining()).isZero();
    }

    @Test
    void theSendQueueIsTrimmedToSndUnaAcrossBytesAndFileRegions() {
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(1000, 5000);
        s.image(i);
        FileRegion region = new FileRegion(FILE, 1_000_000, 123, 456, 5000, 1000);
        s.appended(1001, ascii("HTTP/1.1 200"), 0, 10);     // [1001, 1011)
        s.appendedFile(1011, region);                       // [1011, 2011)
        s.appended(2011, ascii("\r\n0\r\n"), 0, 5);          // [2011, 2016)
        i.sndEnd = 2016;
        s.image(i);
        Adoption a = s.adoption();
        assertThat(a.sendStartSeq()).isEqualTo(1001);
        assertThat(a.sendQueue()).hasSize(3);
        assertThat(ascii(((Adoption.Bytes) a.sendQueue().get(0)).bytes())).isEqualTo("HTTP/1.1 2");
        assertThat(((Adoption.File) a.sendQueue().get(1)).region()).isEqualTo(region);

        i.sndUna = 1511; // half the file acknowledged
        s.image(i);
        a = s.adoption();
        assertThat(a.sendStartSeq()).isEqualTo(1511);
        assertThat(a.sendQueue()).hasSize(2);
        assertThat(((Adoption.File) a.sendQueue().get(0)).region())
                .isEqualTo(new FileRegion(FILE, 1_000_000, 123, 456, 5500, 500));
        assertThat(ascii(((Adoption.Bytes) a.sendQueue().get(1)).bytes())).isEqualTo("\r\n0\r\n");
        assertThat(s.sendQueueLength()).isEqualTo(505);

        i.sndUna = 2013;
        s.image(i);
        a = s.adoption();
        assertThat(a.sendQueue()).hasSize(1);
        assertThat(ascii(((Adoption.Bytes) a.sendQueue().get(0)).bytes())).isEqualTo("0\r\n");
        assertThat(a.sendQueue().stream().mapToLong(Adoption.SendItem::length).sum()).isEqualTo(3);

        i.sndUna = 2017; // everything and our FIN acknowledged
        i.flags |= TcbImage.FIN_QUEUED;
        s.image(i);
        assertThat(s.adoption().sendQueue()).isEmpty();
        assertThat(s.sendQueueLength()).isZero();
    }

    @Test
    void whileOurSynIsUnacknowledgedTheQueueStartsAfterIt() {
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(0xFFFFFFFF, 5000); // and ISS+1 wraps to 0
        i.state = TcpState.SYN_RECEIVED.ordinal();
        i.sndUna = 0xFFFFFFFF;
        s.appended(0, ascii("hello"), 0, 5);
        i.sndEnd = 5;
        s.image(i);
        Adoption a = s.adoption();
        assertThat(ShadowTcb.sendStartSeq(i)).isZero();
        assertThat(a.sendStartSeq()).isZero();
        assertThat(ascii(((Adoption.Bytes) a.sendQueue().get(0)).bytes())).isEqualTo("hello");
    }

    @Test
    void sequenceNumbersWrap() {
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(0xFFFFFFF0, 0xFFFFFFFA);
        s.received(0xFFFFFFFB, ascii("0123456789"), 0, 10); // [..FB, ..05)
        i.rcvNxt = 0x05;
        s.appended(0xFFFFFFF1, ascii("abcdefghijklmnopqrst"), 0, 20); // [..F1, ..05)
        i.sndEnd = 0x05;
        i.sndUna = 0x01;
        s.image(i);
        Adoption a = s.adoption();
        assertThat(ascii(a.received())).isEqualTo("0123456789");
        assertThat(a.sendStartSeq()).isEqualTo(1);
        assertThat(ascii(((Adoption.Bytes) a.sendQueue().get(0)).bytes())).isEqualTo("qrst");
    }

    @Test
    void missingBytesMakeTheConnectionUnadoptable() {
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(1000, 5000);
        i.rcvNxt = 5011; // ten bytes received, none replicated
        s.image(i);
        assertThat(s.adoption()).isNull();
        assertThat(s.whyNot()).isEqualTo("unread received bytes missing");
        ShadowTcb t = new ShadowTcb(T);
        TcbImage j = image(1000, 5000);
        j.sndEnd = 1101;
        t.image(j);
        assertThat(t.adoption()).isNull();
        assertThat(t.whyNot()).isEqualTo("send queue bytes missing: 100 of 100");
        assertThat(new ShadowTcb(T).adoption()).isNull();
    }

    @Test
    void aStandbyThatJoinedAfterTheMarkReplaysWhatItHas() {
        // the snapshot carries the receive queue from READ_SEQ; the mark is earlier
        ShadowTcb s = new ShadowTcb(T);
        TcbImage i = image(1000, 5000);
        i.rcvNxt = 5011;
        i.readSeq = 5006;
        i.receiveOffset = 5;
        i.markReceiveOffset = 0;
        s.image(i);
        s.received(5006, ascii("world"), 0, 5);
        Adoption a = s.adoption();
        assertThat(ascii(a.received())).isEqualTo("world");
        assertThat(a.image().markReceiveOffset).isEqualTo(5);
    }

    @Test
    void theTableAppliesRecordEntriesAndForgetsRemovedConnections() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        RecordWriter w = new RecordWriter(new FrameCodec()).begin(b, 0, b.capacity(), 1, 0);
        TcbImage i = image(1000, 5000);
        i.rcvNxt = 5004;
        i.sndEnd = 1003;
        w.rcvData(T.localIp(), T.localPort(), T.remoteIp(), T.remotePort(), 5001, ascii("abc"), 0, 3);
        w.sndBytes(T.localIp(), T.localPort(), T.remoteIp(), T.remotePort(), 1001, ascii("xy"), 0, 2);
        w.sndFile(T.localIp(), T.localPort(), T.remoteIp(), T.remotePort(), 1003, 0, 10, 10, 1, 2,
                "/x".getBytes(StandardCharsets.UTF_8));
        w.tcbImage(i);
        int n = w.finish();
        FrameReader fr = new FrameReader(8192);
        fr.append(b.limit(n));
        assertThat(fr.poll()).isEqualTo(FrameReader.Status.FRAME);
        ShadowTable table = new ShadowTable();
        RecordReader r = new RecordReader().wrap(fr.frame());
        while (r.next()) table.apply(r);
        assertThat(r.reject()).isNull();
        List<Adoption> adoptions = table.adoptions();
        assertThat(adoptions).hasSize(1);
        assertThat(ascii(adoptions.get(0).received())).isEqualTo("abc");
        assertThat(ascii(((Adoption.Bytes) adoptions.get(0).sendQueue().get(0)).bytes())).isEqualTo("xy");
        assertThat(table.get(T).sendQueueLength()).isEqualTo(12);

        b.clear();
        w.begin(b, 0, b.capacity(), 2, 0);
        w.tcbRemove(T.localIp(), T.localPort(), T.remoteIp(), T.remotePort());
        n = w.finish();
        fr.append(b.limit(n));
        assertThat(fr.poll()).isEqualTo(FrameReader.Status.FRAME);
        r.wrap(fr.frame());
        while (r.next()) table.apply(r);
        assertThat(table.size()).isZero();
    }
}
