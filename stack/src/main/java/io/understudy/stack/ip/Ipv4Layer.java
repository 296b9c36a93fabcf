package io.understudy.stack.ip;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.Netif;
import io.understudy.stack.StackConfig;
import io.understudy.stack.arp.ArpLayer;
import io.understudy.stack.time.TimerWheel;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * IPv4 for one interface (RFC 791, RFC 1122 §3): validates and delivers datagrams addressed to
 * us, reassembles fragments within memory and time bounds, and sends datagrams — routing to the
 * next hop, resolving it through ARP, fragmenting to the MTU. Stack thread only.
 *
 * <p>To send, a protocol writes its payload into {@link #txBuffer()} at {@link #PAYLOAD_AT} and
 * calls {@link #send}; the layer fills in the IP and Ethernet headers around it.
 */
public final class Ipv4Layer {
    /** Where the IP header starts in a frame buffer. */
    public static final int IP_AT = EthernetFrame.HEADER_LENGTH;
    /** Where the payload starts in {@link #txBuffer()}: we send no IP options. */
    public static final int PAYLOAD_AT = IP_AT + Ipv4Header.MIN_LENGTH;
    /** TTL of datagrams we originate, as Linux. */
    static final int DEFAULT_TTL = 64;

    private final Netif netif;
    private final StackConfig config;
    private final Counters counters;
    private final ArpLayer arp;
    private final TimerWheel wheel;
    private final Ipv4Reassembler reassembler;
    private final IpProtocolHandler[] handlers = new IpProtocolHandler[256];
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv4Header out = new Ipv4Header();
    private final Ipv4Datagram datagram = new Ipv4Datagram();
    /** The frame being received came with its transport checksum verified or partial (set per frame). */
    boolean rxChecksumTrusted;
    private final ByteBuffer tx = ByteBuffer.allocateDirect(IP_AT + Ipv4Header.MAX_TOTAL_LENGTH);
    private final ByteBuffer fragment;
    private final TimerWheel.Timer reassemblyTimer = new TimerWheel.Timer() {
        @Override
        protected void onExpiry(long now) {
            reassembler.expire(now);
            rearmReassembly();
        }
    };
    private IcmpLayer icmp;
    private int identification;
    private long reassemblyDropsCounted, reassemblyTimeoutsCounted;

    public Ipv4Layer(Netif netif, ArpLayer arp, TimerWheel wheel, Ipv4Reassembler.Config reassembly) {
        this.netif = netif;
        this.config = netif.config();
        this.counters = netif.counters();
        this.arp = arp;
        this.wheel = wheel;
        this.reassembler = new Ipv4Reassembler(reassembly);
        this.fragment = ByteBuffer.allocateDirect(IP_AT + config.mtu());
        arp.datagramSink(this::transmitResolved);
    }

    /** Delivers datagrams of {@code protocol} to {@code handler}. */
    public void register(int protocol, IpProtocolHandler handler) {
        handlers[protocol] = handler;
    }

    /** Sets the ICMP layer, which answers undeliverable datagrams. */
    void icmp(IcmpLayer icmp) {
        this.icmp = icmp;
        register(Ipv4Header.PROTO_ICMP, icmp);
    }

    /** The interface's settings. */
    public StackConfig config() {
        return config;
    }

    /** An IPv4 packet arrived in {@code frame} at {@code at}, {@code length} bytes to the frame's end. */
    public void input(long now, ByteBuffer frame, int at, int length) {
        switch (ip.wrap(frame, at, length).validate()) {
            case TRUNCATED -> { counters.increment(Counter.DROP_IP_TRUNCATED); return; }
            case BAD_VERSION -> { counters.increment(Counter.DROP_IP_BAD_VERSION); return; }
            case BAD_HEADER_LENGTH -> { counters.increment(Counter.DROP_IP_BAD_HEADER_LENGTH); return; }
            case BAD_TOTAL_LENGTH -> { counters.increment(Counter.DROP_IP_BAD_TOTAL_LENGTH); return; }
            case BAD_CHECKSUM -> { counters.increment(Counter.DROP_IP_BAD_CHECKSUM); return; }
            case BAD_FRAGMENT -> { counters.increment(Counter.DROP_IP_BAD_FRAGMENT); return; }
            case NONE -> { }
        }
        counters.increment(Counter.IP_RECEIVED);
        int dst = ip.dst();
        boolean broadcast = dst == -1 || dst == config.broadcast();
        if (dst != config.ip() && !broadcast) {
            counters.increment(Counter.DROP_IP_NOT_FOR_US);
            return;
        }
        int src = ip.src();
        // RFC 1122 §3.2.1.3: a source that is 0, a broadcast, multicast or our own address is bogus.
        if (src == 0 || src == -1 || src == config.broadcast() || (src >>> 28) == 0xE || src == config.ip()) {
            counters.increment(Counter.DROP_IP_BAD_SOURCE);
            return;
        }
        datagram.src = src;
        datagram.dst = dst;
        datagram.protocol = ip.protocol();
        datagram.broadcast = broadcast;
        datagram.checksumTrusted = rxChecksumTrusted;
        if (ip.isFragment()) {
            reassemble(now, frame);
            return;
        }
        datagram.buf = frame;
        datagram.headerAt = at;
        datagram.payloadAt = ip.payloadOffset();
        datagram.payloadLength = ip.payloadLength();
        deliver(now);
    }

    private void reassemble(long now, ByteBuffer frame) {
        counters.increment(Counter.IP_FRAGMENTS_RECEIVED);
        Ipv4Reassembler.Result result = reassembler.offer(now, ip.src(), ip.dst(), ip.protocol(), ip.identification(),
                ip.headerLength(), ip.fragmentOffset(), ip.moreFragments(), frame, ip.payloadOffset(), ip.payloadLength());
        switch (result) {
            case INCOMPLETE -> { }
            case COMPLETE -> {
                counters.increment(Counter.IP_REASSEMBLED);
                datagram.buf = reassembler.completed();
                datagram.checksumTrusted = false;
                datagram.headerAt = -1;
                datagram.payloadAt = 0;
                datagram.payloadLength = datagram.buf.limit();
            }
            case DUPLICATE -> counters.increment(Counter.DROP_FRAG_DUPLICATE);
            case OVERLAP -> counters.increment(Counter.DROP_FRAG_OVERLAP);
            case TOO_BIG -> counters.increment(Counter.DROP_FRAG_TOO_BIG);
            case BAD_LENGTH -> counters.increment(Counter.DROP_FRAG_BAD_LENGTH);
            case CONFLICTING_LAST -> counters.increment(Counter.DROP_FRAG_CONFLICTING_LAST);
            case NO_MEMORY -> counters.increment(Counter.DROP_FRAG_NO_MEMORY);
        }
        rearmReassembly();
        if (result == Ipv4Reassembler.Result.COMPLETE) {
            deliver(now);
        }
    }

    private void deliver(long now) {
        IpProtocolHandler handler = handlers[datagram.protocol];
        if (handler != null) {
            counters.increment(Counter.IP_DELIVERED);
            handler.onDatagram(now, datagram);
        } else if (datagram.protocol == Ipv4Header.PROTO_UDP) {
            counters.increment(Counter.DROP_UDP_NO_LISTENER);
            icmp.unreachable(now, datagram, IcmpLayer.PORT_UNREACHABLE);
        } else {
            counters.increment(Counter.DROP_IP_UNKNOWN_PROTOCOL);
            icmp.unreachable(now, datagram, IcmpLayer.PROTOCOL_UNREACHABLE);
        }
    }

    /** Whether the frame about to be received comes with its transport checksum verified or partial (the link said so). */
    public void rxChecksumTrusted(boolean trusted) {
        this.rxChecksumTrusted = trusted;
    }

    /** The buffer protocols write their payload into, at {@link #PAYLOAD_AT}, before {@link #send}. */
    public ByteBuffer txBuffer() {
        return tx;
    }

    /**
     * Sends the {@code payloadLength} bytes at {@link #PAYLOAD_AT} of {@link #txBuffer()} to
     * {@code dst}. Datagrams larger than the MTU are fragmented unless {@code dontFragment}.
     *
     * @return false when the datagram was dropped (no route, too big to send with DF), counted
     */
    public boolean send(long now, int dst, int protocol, int payloadLength, boolean dontFragment) {
        int total = Ipv4Header.MIN_LENGTH + payloadLength;
        if (total > Ipv4Header.MAX_TOTAL_LENGTH || (dontFragment && total > config.mtu())) {
            counters.increment(Counter.DROP_IP_TOO_BIG);
            return false;
        }
        int nextHop = config.onLink(dst) ? dst : config.gateway();
        if (nextHop == 0) {
            counters.increment(Counter.DROP_IP_NO_ROUTE);
            return false;
        }
        out.wrap(tx, IP_AT, total).headerLength(Ipv4Header.MIN_LENGTH).tos(0).totalLength(total)
                .identification(identification++ & 0xFFFF).fragment(dontFragment, false, 0)
                .ttl(DEFAULT_TTL).protocol(protocol).src(config.ip()).dst(dst).writeChecksum();
        counters.increment(Counter.IP_SENT);
        long mac = dst == config.broadcast() ? MacAddress.BROADCAST : arp.lookup(nextHop, now);
        if (mac < 0) {
            arp.resolve(now, nextHop, tx.limit(IP_AT + total).position(IP_AT));
            tx.clear();
            return true;
        }
        transmitFromTx(now, total, mac);
        return true;
    }

    /**
     * True when a datagram to {@code dst} can go out with offloads now: the link takes them and
     * the next hop's MAC is known (a datagram waiting for ARP is sent later, without its offload
     * details, so it must be complete).
     */
    public boolean canOffload(int dst, long now, int offload) {
        if ((netif.linkOffloads() & offload) != offload) {
            return false;
        }
        int nextHop = config.onLink(dst) ? dst : config.gateway();
        return nextHop != 0 && dst != config.broadcast() && arp.lookup(nextHop, now) >= 0;
    }

    /**
     * Sends a TCP segment with offloads (after {@link #canOffload}): its checksum at
     * {@code PAYLOAD_AT + csumOffset} is partial, and when {@code gsoSize > 0} the link cuts it
     * into segments of {@code gsoSize} payload bytes after {@code transportHeaderLength} bytes of
     * TCP header, so it may exceed the MTU (up to 64 KiB). Always with DF.
     *
     * @return false when it was dropped (too big, no route or no MAC any more), counted
     */
    /** The MAC last learned for the next hop towards {@code dst}, or 0 when none (see {@link ArpLayer#peek}). */
    public long neighborMac(int dst) {
        int nextHop = config.onLink(dst) ? dst : config.gateway();
        long mac = nextHop == 0 ? -1 : arp.peek(nextHop);
        return Math.max(mac, 0);
    }

    /** Uses {@code mac} for the next hop towards {@code dst} unless it is already known (see {@link ArpLayer#seed}). */
    public void seedNeighbor(long now, int dst, long mac) {
        int nextHop = config.onLink(dst) ? dst : config.gateway();
        if (nextHop != 0) {
            arp.seed(now, nextHop, mac);
        }
    }

    public boolean sendOffloaded(long now, int dst, int protocol, int payloadLength, int csumOffset, int gsoSize,
            int transportHeaderLength) {
        int total = Ipv4Header.MIN_LENGTH + payloadLength;
        if (total > Ipv4Header.MAX_TOTAL_LENGTH || (gsoSize == 0 && total > config.mtu())) {
            counters.increment(Counter.DROP_IP_TOO_BIG);
            return false;
        }
        int nextHop = config.onLink(dst) ? dst : config.gateway();
        long mac = nextHop == 0 ? -1 : arp.lookup(nextHop, now);
        if (mac < 0) {
            counters.increment(Counter.DROP_IP_NO_ROUTE);
            return false;
        }
        out.wrap(tx, IP_AT, total).headerLength(Ipv4Header.MIN_LENGTH).tos(0).totalLength(total)
                .identification(identification & 0xFFFF).fragment(true, false, 0)
                .ttl(DEFAULT_TTL).protocol(protocol).src(config.ip()).dst(dst).writeChecksum();
        // The link numbers the segments it cuts from here on (Linux's GSO increments the ID).
        identification += gsoSize > 0 ? (payloadLength - transportHeaderLength + gsoSize - 1) / gsoSize : 1;
        counters.increment(Counter.IP_SENT);
        netif.offload(PAYLOAD_AT, csumOffset, gsoSize, PAYLOAD_AT + transportHeaderLength);
        netif.transmit(now, tx, IP_AT + total, mac, EthernetFrame.TYPE_IPV4);
        return true;
    }

    /** A datagram queued for ARP resolution (between position and limit) can go now. */
    private void transmitResolved(long now, ByteBuffer queued, long mac) {
        int total = queued.remaining();
        tx.put(IP_AT, queued, queued.position(), total);
        transmitFromTx(now, total, mac);
    }

    private void transmitFromTx(long now, int total, long mac) {
        if (total <= config.mtu()) {
            netif.transmit(now, tx, IP_AT + total, mac, EthernetFrame.TYPE_IPV4);
            return;
        }
        fragmentFromTx(now, total, mac);
    }

    /** RFC 791 §3.2 fragmentation: every fragment but the last carries a multiple of 8 bytes. */
    private void fragmentFromTx(long now, int total, long mac) {
        int payloadLength = total - Ipv4Header.MIN_LENGTH;
        int chunk = (config.mtu() - Ipv4Header.MIN_LENGTH) & ~7;
        counters.increment(Counter.IP_FRAGMENTED);
        for (int offset = 0; offset < payloadLength; offset += chunk) {
            int length = Math.min(chunk, payloadLength - offset);
            boolean more = offset + length < payloadLength;
            fragment.put(IP_AT, tx, IP_AT, Ipv4Header.MIN_LENGTH);
            fragment.put(PAYLOAD_AT, tx, PAYLOAD_AT + offset, length);
            out.wrap(fragment, IP_AT, Ipv4Header.MIN_LENGTH + length).totalLength(Ipv4Header.MIN_LENGTH + length)
                    .fragment(false, more, offset).writeChecksum();
            netif.transmit(now, fragment, PAYLOAD_AT + length, mac, EthernetFrame.TYPE_IPV4);
            counters.increment(Counter.IP_FRAGMENTS_SENT);
        }
    }

    private void rearmReassembly() {
        counters.add(Counter.DROP_FRAG_EVICTED, reassembler.evictions() - reassemblyDropsCounted);
        reassemblyDropsCounted = reassembler.evictions();
        counters.add(Counter.DROP_FRAG_TIMEOUT, reassembler.timeouts() - reassemblyTimeoutsCounted);
        reassemblyTimeoutsCounted = reassembler.timeouts();
        if (reassembler.hasDeadline()) {
            wheel.schedule(reassemblyTimer, reassembler.nextDeadline());
        } else {
            wheel.cancel(reassemblyTimer);
        }
    }
}
