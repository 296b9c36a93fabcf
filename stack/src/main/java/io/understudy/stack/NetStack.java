package io.understudy.stack;

import io.understudy.stack.arp.ArpCache;
import io.understudy.stack.arp.ArpLayer;
import io.understudy.stack.engine.StackHandler;
import io.understudy.stack.ip.IcmpLayer;
import io.understudy.stack.ip.Ipv4Layer;
import io.understudy.stack.ip.Ipv4Reassembler;
import io.understudy.stack.link.Link;
import io.understudy.stack.link.VnetHeader;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpContext;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.time.TimerWheel;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.MacAddress;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.OutputCommit;
import io.understudy.stack.replication.ReplicationLog;
import java.nio.ByteBuffer;
import java.util.List;
import java.security.SecureRandom;

/**
 * One stack instance on one Ethernet link: everything the stack thread owns. Frames come in
 * through {@link #onFrame}, leave through the {@link Link}; time comes in as an argument and
 * timers fire from {@link #onBatchEnd}. Performs no I/O of its own and reads no clock, so tests
 * drive it with an in-memory link and a fake clock.
 */
public final class NetStack implements StackHandler {
    /** Resolution of the timer wheel: 1 ms, 4096 slots (one turn is about 4 s). */
    static final long TIMER_TICK_NANOS = 1_000_000L;
    static final int TIMER_SLOTS = 4096;
    /**
     * After a takeover the gratuitous ARP goes again, {@value #TAKEOVER_ANNOUNCES} more times at
     * 2, 6, 14 and 30 ms, as bonding drivers repeat theirs: a switch or bridge that still gets
     * frames the dead primary wrote just before it died (delivered after our first announcement)
     * would learn our MAC back on the dead port and send the clients' ACKs there.
     */
    private static final int TAKEOVER_ANNOUNCES = 4;
    private static final long TAKEOVER_ANNOUNCE_FIRST_NANOS = 2_000_000L;

    private final StackConfig config;
    private final Counters counters = new Counters();
    private final Netif netif;
    private final TimerWheel wheel;
    private final ArpLayer arp;
    private final Ipv4Layer ip;
    private final TcpLayer tcp;
    private final EthernetFrame eth = new EthernetFrame();
    /** Bytes of link header before each received frame ({@link Link#receiveHeaderLength()}). */
    private final int rxHeader;
    /** The time of the last frame or batch end (for frames released by an acknowledgment). */
    private long lastNow;
    /** Gratuitous ARPs after a takeover's first, at {@link #announceInterval}s doubling from 2 ms. */
    private int announcesLeft;
    private long announceInterval, nextAnnounce;

    /** A stack on {@code link} with default TCP settings and a fresh secret; {@code now} starts its timer wheel. */
    public NetStack(StackConfig config, Link link, long now) {
        this(config, TcpConfig.defaults(config.mtu()), TcpSecret.generate(new SecureRandom()),
                TcpLayer.DEFAULT_MAX_CONNECTIONS, link, now);
    }

    /**
     * A stack on {@code link}; {@code now} starts its timer wheel.
     *
     * @param secret the key of TCP's ISNs and SYN cookies
     * @param maxConnections cap on TCP connections in any state
     */
    public NetStack(StackConfig config, TcpConfig tcpConfig, TcpSecret secret, int maxConnections, Link link, long now) {
        this.config = config;
        this.netif = new Netif(config, link, counters);
        this.rxHeader = link.receiveHeaderLength();
        this.wheel = new TimerWheel(TIMER_TICK_NANOS, TIMER_SLOTS, now);
        this.lastNow = now;
        this.arp = new ArpLayer(netif, wheel, ArpCache.Config.DEFAULT);
        this.ip = new Ipv4Layer(netif, arp, wheel, Ipv4Reassembler.Config.DEFAULT);
        new IcmpLayer(ip, counters);
        TcpContext context = new TcpContext(tcpConfig, counters);
        context.outputCommit(netif.commit());
        context.neighbors(ip::neighborMac);
        this.tcp = new TcpLayer(ip, wheel, context, secret, maxConnections);
    }

    /** TCP: listen, connect, and the connections. */
    public TcpLayer tcp() {
        return tcp;
    }

    /** The stack's settings. */
    public StackConfig config() {
        return config;
    }

    /** The counters; readable from any thread. */
    public Counters counters() {
        return counters;
    }

    /** The IP layer, where transport protocols register and send. */
    public Ipv4Layer ip() {
        return ip;
    }

    /** The ARP layer and its neighbour table. */
    public ArpLayer arp() {
        return arp;
    }

    /** The timer wheel, for protocols that keep deadlines. */
    public TimerWheel timers() {
        return wheel;
    }

    /** Shows every received and sent frame to {@code observer} (a pcap writer); null for none. */
    public void observer(FrameObserver observer) {
        netif.observer(observer);
    }

    /** Announces our address with a gratuitous ARP, as on start-up (and, later, on takeover). */
    public void announce(long now) {
        arp.announce(now);
    }

    // ---------------------------------------------------------------- replication (stack thread only)

    /**
     * Starts replicating to a standby through {@code log}: writes a snapshot of every connection
     * (its image, its whole receive queue and its send queue) into the log's current record and
     * commits it, then turns on output commit, so from now on a frame that reveals state of
     * record N waits for {@link #replicationAcked}(N). The log's record numbers must keep
     * increasing across attachments. Stack thread.
     */
    public void attachReplication(long now, ReplicationLog log) {
        java.util.Objects.requireNonNull(log, "log");
        netif.commit().enable(log.currentRecord() - 1);
        tcp.startReplication(now, log);
    }

    /**
     * The standby is gone and the policy is to go on alone: stop logging and release every frame
     * waiting for an ack. Stack thread.
     */
    public void detachReplication() {
        tcp.stopReplication();
        netif.releaseAll(lastNow);
    }

    /** The standby acknowledged every record up to {@code record}: frames tagged up to it leave. Stack thread. */
    public void replicationAcked(long record) {
        netif.release(lastNow, record);
    }

    /**
     * The standby is gone and the policy is {@code halt}: from now on no frame leaves (the waiting
     * ones are dropped, counted). Irreversible for this stack. Stack thread.
     */
    public void haltOutput() {
        tcp.stopReplication();
        netif.halt();
    }

    /** Output commit's queue, for status pages (frames waiting, held, released, dropped). */
    public OutputCommit outputCommit() {
        return netif.commit();
    }

    /**
     * Takeover on a standby: adopts every connection (TCBs armed, application handlers from the
     * listeners, each told {@link io.understudy.stack.tcp.TcpHandler#onAdopted}), announces the
     * service address with a gratuitous ARP, retransmits from SND.UNA on every connection and
     * sends a window update; everything goes out at the end of this batch. Stack thread.
     *
     * @return the number of connections adopted
     */
    public int takeover(long now, List<Adoption> adoptions) {
        tcp.stopReplication();
        netif.releaseAll(now);
        arp.announce(now);
        announcesLeft = TAKEOVER_ANNOUNCES;
        announceInterval = TAKEOVER_ANNOUNCE_FIRST_NANOS;
        nextAnnounce = now + announceInterval;
        for (Adoption a : adoptions) { // the peers' MACs as the primary knew them: no ARP round trip, no queue
            ip.seedNeighbor(now, a.image().remoteIp, a.image().peerMac);
        }
        int adopted = 0;
        for (Adoption a : adoptions) {
            if (tcp.adopt(now, a) != null) {
                adopted++;
            }
        }
        return adopted;
    }

    @Override
    public void onFrame(long now, ByteBuffer frame) {
        lastNow = now;
        if (rxHeader > 0) {
            // The link's virtio-net header: was the transport checksum verified or left partial?
            int h = frame.position();
            if (frame.remaining() < rxHeader) {
                counters.increment(Counter.DROP_ETH_TRUNCATED);
                return;
            }
            ip.rxChecksumTrusted(VnetHeader.checksumTrusted(frame, h));
            if (VnetHeader.gsoType(frame, h) != VnetHeader.GSO_NONE) {
                counters.increment(Counter.RX_GSO_FRAMES);
            }
            frame.position(h + rxHeader);
        }
        int at = frame.position();
        int length = frame.remaining();
        counters.increment(Counter.RX_FRAMES);
        counters.add(Counter.RX_BYTES, length);
        netif.received(now, frame);
        if (!eth.wrap(frame, at, length).isValid()) {
            counters.increment(Counter.DROP_ETH_TRUNCATED);
            return;
        }
        long dst = eth.dst();
        if (dst != config.mac() && dst != MacAddress.BROADCAST) {
            counters.increment(Counter.DROP_ETH_NOT_FOR_US);
            return;
        }
        if (MacAddress.isMulticast(eth.src())) {
            counters.increment(Counter.DROP_ETH_BAD_SOURCE);
            return;
        }
        int payloadAt = eth.payloadOffset();
        int payloadLength = eth.payloadLength();
        switch (eth.etherType()) {
            case EthernetFrame.TYPE_IPV4 -> ip.input(now, frame, payloadAt, payloadLength);
            case EthernetFrame.TYPE_ARP -> arp.input(now, frame, payloadAt, payloadLength);
            case EthernetFrame.TYPE_VLAN -> counters.increment(Counter.DROP_ETH_VLAN);
            default -> counters.increment(Counter.DROP_ETH_UNKNOWN_TYPE);
        }
    }

    @Override
    public void onBatchEnd(long now) {
        lastNow = now;
        if (announcesLeft > 0 && now - nextAnnounce >= 0) {
            arp.announce(now);
            announcesLeft--;
            announceInterval *= 2;
            nextAnnounce = now + announceInterval;
        }
        wheel.advance(now);
        tcp.flush(now);
        netif.flush();
    }

    /** The stack thread stops: close the files the TCP layer holds open ({@link TcpLayer#closeFiles}). */
    @Override
    public void onShutdown() {
        tcp.closeFiles();
    }
}
