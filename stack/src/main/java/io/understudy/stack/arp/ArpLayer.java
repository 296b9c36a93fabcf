package io.understudy.stack.arp;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.Netif;
import io.understudy.stack.StackConfig;
import io.understudy.stack.time.TimerWheel;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ARP for one interface (RFC 826): answers requests for our address, resolves next hops with
 * retries and a queue of waiting datagrams, and announces our address (gratuitous ARP, RFC 5227
 * §2.3). Stack thread only.
 */
public final class ArpLayer implements ArpCache.TickSink {
    private static final Logger log = LoggerFactory.getLogger(ArpLayer.class);

    /** Where resolved datagrams go: the IP layer's resolved-output path. */
    public interface DatagramSink {
        /** Sends the IP datagram between {@code position} and {@code limit} to {@code mac}. */
        void send(long now, ByteBuffer datagram, long mac);
    }

    private final Netif netif;
    private final StackConfig config;
    private final Counters counters;
    private final ArpCache cache;
    private final TimerWheel wheel;
    private final ArpPacket arp = new ArpPacket();
    private final ByteBuffer tx = ByteBuffer.allocateDirect(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH + 32);
    private final TimerWheel.Timer timer = new TimerWheel.Timer() {
        @Override
        protected void onExpiry(long now) {
            tickNow = now;
            cache.onTick(now, ArpLayer.this);
            rearm();
        }
    };
    private final ArpCache.PendingSink pendingSink = this::sendPending;
    private DatagramSink datagramSink;
    /** The time of the call in progress, for the cache's callbacks, which carry no time. */
    private long tickNow;
    private long evictionsCounted, pendingDropsCounted;

    public ArpLayer(Netif netif, TimerWheel wheel, ArpCache.Config cacheConfig) {
        this.netif = netif;
        this.config = netif.config();
        this.counters = netif.counters();
        this.cache = new ArpCache(cacheConfig);
        this.wheel = wheel;
    }

    /** Connects the IP layer, which sends datagrams once their next hop resolves. */
    public void datagramSink(DatagramSink sink) {
        this.datagramSink = sink;
    }

    /** The neighbour table, for status pages. */
    public ArpCache cache() {
        return cache;
    }

    /** An ARP packet arrived in {@code frame} at {@code at}. */
    public void input(long now, ByteBuffer frame, int at, int length) {
        switch (arp.wrap(frame, at, length).validate()) {
            case TRUNCATED -> { counters.increment(Counter.DROP_ARP_TRUNCATED); return; }
            case NOT_ETHERNET_IPV4 -> { counters.increment(Counter.DROP_ARP_BAD_FORMAT); return; }
            case UNKNOWN_OPERATION -> { counters.increment(Counter.DROP_ARP_BAD_OPERATION); return; }
            case NONE -> { }
        }
        int oper = arp.oper();
        long sha = arp.sha();
        int spa = arp.spa();
        int tpa = arp.tpa();
        counters.increment(oper == ArpPacket.REQUEST ? Counter.ARP_REQUESTS_RECEIVED : Counter.ARP_REPLIES_RECEIVED);
        if (MacAddress.isMulticast(sha)) {
            counters.increment(Counter.DROP_ARP_BAD_SENDER);
            return;
        }
        if (spa == config.ip()) {
            if (sha != config.mac()) {
                counters.increment(Counter.ARP_CONFLICTS);
                log.warn("address conflict: {} claims {}, which is ours ({})",
                        MacAddress.toString(sha), Ipv4Address.toString(spa), MacAddress.toString(config.mac()));
            }
            return;
        }
        tickNow = now;
        // RFC 826 "merge": refresh what we know; learn the sender only when the packet is for us.
        // An ARP probe (RFC 5227 §2.1.1) has sender address 0 and teaches nothing.
        boolean known = spa != 0 && cache.update(spa, sha, now, pendingSink);
        if (tpa != config.ip()) {
            counters.increment(Counter.ARP_NOT_FOR_US);
            rearm();
            return;
        }
        if (!known && spa != 0 && config.onLink(spa) && !cache.learn(spa, sha, now, pendingSink)) {
            counters.increment(Counter.DROP_ARP_TABLE_FULL);
        }
        rearm();
        if (oper == ArpPacket.REQUEST) {
            send(now, ArpPacket.REPLY, sha, spa, sha);
            counters.increment(Counter.ARP_REPLIES_SENT);
        }
    }

    /** The MAC for {@code nextHop}, or -1 when it must be resolved first. */
    public long lookup(int nextHop, long now) {
        return cache.lookup(nextHop, now);
    }

    /**
     * Queues the datagram between {@code position} and {@code limit} until {@code nextHop}
     * resolves, asking for it if no request is outstanding.
     */
    public void resolve(long now, int nextHop, ByteBuffer datagram) {
        switch (cache.enqueue(nextHop, datagram, now)) {
            case SEND_REQUEST -> {
                send(now, ArpPacket.REQUEST, MacAddress.BROADCAST, nextHop, 0L);
                counters.increment(Counter.ARP_REQUESTS_SENT);
            }
            case QUEUED, QUEUED_DROPPED_OLDEST -> { } // the oldest drops are counted in rearm()
            case PACKET_TOO_BIG -> counters.increment(Counter.DROP_ARP_QUEUE_FULL);
            case TABLE_FULL -> counters.increment(Counter.DROP_ARP_TABLE_FULL);
        }
        rearm();
    }

    /** The MAC last learned for {@code nextHop}, expired or not; -1 when none. See {@link ArpCache#peek}. */
    public long peek(int nextHop) {
        return cache.peek(nextHop);
    }

    /**
     * Takes {@code mac} for {@code nextHop} as if it had just answered, unless the cache already
     * has a live entry for it: a standby taking over uses what its primary knew rather than
     * asking first (the entry expires and is asked for as usual). Packets queued for it go out.
     */
    public void seed(long now, int nextHop, long mac) {
        if (mac <= 0 || mac == MacAddress.BROADCAST || cache.lookup(nextHop, now) >= 0) {
            return;
        }
        cache.learn(nextHop, mac, now, pendingSink);
        rearm();
    }

    /** Announces our address to the link: a gratuitous ARP request (RFC 5227 §2.3). */
    public void announce(long now) {
        send(now, ArpPacket.REQUEST, MacAddress.BROADCAST, config.ip(), 0L);
        counters.increment(Counter.ARP_GRATUITOUS_SENT);
    }

    @Override
    public void sendRequest(int ip) {
        send(tickNow, ArpPacket.REQUEST, MacAddress.BROADCAST, ip, 0L);
        counters.increment(Counter.ARP_REQUESTS_SENT);
    }

    @Override
    public void unresolved(int ip, int droppedPackets) {
        counters.add(Counter.DROP_ARP_UNRESOLVED, droppedPackets);
        log.debug("no ARP reply from {}: dropped {} queued datagrams", Ipv4Address.toString(ip), droppedPackets);
    }

    private void sendPending(ByteBuffer datagram, long mac) {
        datagramSink.send(tickNow, datagram, mac);
    }

    private void send(long now, int oper, long dstMac, int tpa, long tha) {
        ArpPacket.writeTo(tx, EthernetFrame.HEADER_LENGTH, oper, config.mac(), config.ip(), tha, tpa);
        netif.transmit(now, tx, EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH, dstMac, EthernetFrame.TYPE_ARP);
    }

    /** Re-arms the timer for the cache's next deadline, and carries the cache's own tallies into the counters. */
    private void rearm() {
        counters.add(Counter.ARP_EVICTIONS, cache.evictions() - evictionsCounted);
        evictionsCounted = cache.evictions();
        counters.add(Counter.DROP_ARP_QUEUE_FULL, cache.pendingDropped() - pendingDropsCounted);
        pendingDropsCounted = cache.pendingDropped();
        if (cache.hasDeadline()) {
            wheel.schedule(timer, cache.nextDeadline());
        } else {
            wheel.cancel(timer);
        }
    }
}
