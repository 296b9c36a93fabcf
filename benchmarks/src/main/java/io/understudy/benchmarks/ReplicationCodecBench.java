package io.understudy.benchmarks;

import io.understudy.replication.codec.Entries;
import io.understudy.replication.codec.EntryType;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.FrameReader;
import io.understudy.replication.codec.RecordReader;
import io.understudy.replication.codec.RecordWriter;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.TcpState;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The replication record of one received segment: a TCB_IMAGE entry and a 1448-byte RCV_DATA
 * entry in one RECORD frame (CRC32C included). {@code encode}: {@link RecordWriter} into a
 * reused buffer. {@code decode}: {@link FrameReader} takes the bytes (copy, length, CRC) and
 * {@link RecordReader} walks the entries, copying the image out and the data into a buffer, as
 * the standby's applier does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplicationCodecBench {
    static final int DATA = 1448;
    static final int MAX_FRAME = 256 * 1024;

    private final RecordWriter writer = new RecordWriter(new FrameCodec());
    private final FrameReader frames = new FrameReader(MAX_FRAME);
    private final RecordReader records = new RecordReader();
    private final TcbImage image = new TcbImage();
    private final TcbImage decodedImage = new TcbImage();
    private final ByteBuffer out = ByteBuffer.allocate(MAX_FRAME);
    private final ByteBuffer data = ByteBuffer.allocate(DATA);
    private final ByteBuffer received = ByteBuffer.allocate(DATA);
    private ByteBuffer wire;
    private int wireLength;
    private long sequence = 1;

    @Setup
    public void setUp() {
        for (int i = 0; i < DATA; i++) {
            data.put(i, (byte) (i * 7));
        }
        image.localIp = TcpLab.SERVER_IP;
        image.localPort = 80;
        image.remoteIp = TcpLab.CLIENT_IP;
        image.remotePort = 40_000;
        image.state = TcpState.ESTABLISHED.ordinal();
        image.flags = TcbImage.SACK | TcbImage.TIMESTAMPS | TcbImage.WINDOW_SCALING | TcbImage.PASSIVE | TcbImage.HAS_RTT;
        image.sndWscale = 7;
        image.rcvWscale = 5;
        image.peerMss = 1460;
        image.iss = 0x1000_0000;
        image.irs = 0x2000_0000;
        image.sndUna = image.iss + 1 + 100_000;
        image.sndEnd = image.sndUna + 4096;
        image.sndWnd = 3 << 20;
        image.sndWl1 = image.irs + 1 + 50_000;
        image.sndWl2 = image.sndUna;
        image.maxSndWnd = image.sndWnd;
        image.rcvNxt = image.irs + 1 + 50_000 + DATA;
        image.rcvWndEdge = image.rcvNxt + (1 << 20);
        image.readSeq = image.rcvNxt - DATA;
        image.tsOffset = 0x5555;
        image.tsRecent = 777_777;
        image.srttNanos = 250_000;
        image.rttvarNanos = 60_000;
        image.receiveOffset = 50_000;
        image.sendOffset = 104_096;
        wireLength = encode();
        wire = ByteBuffer.allocate(wireLength);
        wire.put(0, out, 0, wireLength);
        if (decode() != image.rcvNxt + DATA) {
            throw new IllegalStateException("round trip failed");
        }
    }

    @Benchmark
    public int encode() {
        writer.begin(out, 0, out.capacity(), sequence++, FrameCodec.FLAG_LAST_FRAGMENT);
        if (!writer.tcbImage(image)
                || !writer.rcvData(image.localIp, image.localPort, image.remoteIp, image.remotePort,
                        image.rcvNxt - DATA, data, 0, DATA)) {
            throw new IllegalStateException("no room");
        }
        return writer.finish();
    }

    @Benchmark
    public int decode() {
        wire.limit(wireLength).position(0);
        frames.append(wire);
        if (frames.poll() != FrameReader.Status.FRAME) {
            throw new IllegalStateException("frame: " + frames.reject());
        }
        records.wrap(frames.frame());
        int result = 0;
        while (records.next()) {
            if (records.type() == EntryType.TCB_IMAGE) {
                result += records.tcbImage().copyTo(decodedImage).rcvNxt;
            } else if (records.type() == EntryType.RCV_DATA) {
                Entries.RcvData d = records.rcvData();
                d.copyData(received, 0);
                result += d.dataLength();
            }
        }
        if (records.reject() != null) {
            throw new IllegalStateException("record: " + records.reject());
        }
        return result;
    }
}
