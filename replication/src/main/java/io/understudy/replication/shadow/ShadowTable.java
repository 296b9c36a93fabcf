package io.understudy.replication.shadow;

import io.understudy.replication.codec.Entries;
import io.understudy.replication.codec.RecordReader;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.TcpTuple;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby's shadow TCBs, keyed by 4-tuple, fed with the entries of replication records and
 * turned into {@link Adoption}s at takeover. Not thread-safe: one applier owns it.
 */
public final class ShadowTable {
    private static final Logger log = LoggerFactory.getLogger("io.understudy.replication");

    private final Map<TcpTuple, ShadowTcb> shadows = new LinkedHashMap<>();
    private final TcbImage scratch = new TcbImage();

    /** Applies the entry {@code r} is positioned on; throws IllegalArgumentException for an entry that makes no sense. */
    public void apply(RecordReader r) {
        Entries.Entry e = r.entry();
        switch (r.type()) {
            case TCB_IMAGE -> shadow(e).image(r.tcbImage().copyTo(scratch));
            case RCV_DATA -> {
                Entries.RcvData d = r.rcvData();
                shadow(e).received(d.seq(), d.buffer(), d.dataOffset(), d.dataLength());
            }
            case SND_BYTES -> {
                Entries.SndBytes d = r.sndBytes();
                shadow(e).appended(d.seq(), d.buffer(), d.dataOffset(), d.dataLength());
            }
            case SND_FILE -> {
                Entries.SndFile f = r.sndFile();
                Path path;
                try {
                    path = Path.of(f.path());
                } catch (InvalidPathException bad) {
                    throw new IllegalArgumentException("SND_FILE with an invalid path: " + bad.getMessage());
                }
                shadow(e).appendedFile(f.seq(), new FileRegion(path, f.fileSize(), f.mtimeNanos(), f.inode(), f.offset(),
                        f.fileLength()));
            }
            case TCB_REMOVE -> shadows.remove(tuple(e));
            default -> throw new IllegalArgumentException("unexpected entry " + r.type());
        }
    }

    private ShadowTcb shadow(Entries.Entry e) {
        return shadows.computeIfAbsent(tuple(e), ShadowTcb::new);
    }

    private static TcpTuple tuple(Entries.Entry e) {
        return new TcpTuple(e.localAddr(), e.localPort(), e.remoteAddr(), e.remotePort());
    }

    /** The shadow of {@code tuple}, or null. */
    public ShadowTcb get(TcpTuple tuple) {
        return shadows.get(tuple);
    }

    public int size() {
        return shadows.size();
    }

    public Collection<ShadowTcb> shadows() {
        return shadows.values();
    }

    /** Every connection the stack can adopt; each one that cannot be is logged with the reason. */
    public List<Adoption> adoptions() {
        List<Adoption> out = new ArrayList<>(shadows.size());
        for (ShadowTcb s : shadows.values()) {
            Adoption a = s.adoption();
            if (a != null) {
                out.add(a);
            } else {
                log.warn("takeover: not adopting {}: {}{}", s.tuple(), s.whyNot(),
                        s.gap() == null ? "" : " (" + s.gap() + ")");
            }
        }
        return out;
    }
}
