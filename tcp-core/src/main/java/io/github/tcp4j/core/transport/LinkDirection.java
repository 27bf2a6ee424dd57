package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One direction of a {@link SimLink}: its {@link LinkConfig}, its counters, its partition state,
 * and the transmitter queue. The configuration can be changed at any time; it applies to packets
 * sent from then on.
 *
 * <p>Each direction draws from its own random stream, split from the network's seed when the
 * link is created, so traffic on one direction never changes the faults another one sees.
 */
public final class LinkDirection {

    private final SimNetwork network;
    private final SimHost from;
    private final SimHost to;
    private final SplittableRandom random;
    private LinkConfig config;
    private boolean partitioned;

    /**
     * Times at which the packets in the transmitter (the one on the wire, then those waiting)
     * finish serialization, oldest first: a ring of longs, so queueing allocates nothing.
     */
    private long[] departures = new long[16];
    private int departuresHead;
    private int departuresSize;
    private long transmitterFreeAt;
    /** Latest arrival scheduled so far among packets that were not reordered (keeps FIFO under jitter). */
    private long lastInOrderArrival;

    private long sent;
    private long delivered;
    private long droppedLoss;
    private long droppedQueueFull;
    private long droppedTooBig;
    private long droppedPartition;
    private long droppedNoReceiver;
    private long droppedAtClose;
    private long duplicated;
    private long corrupted;
    private long reordered;
    private long inFlight;

    LinkDirection(SimNetwork network, SimHost from, SimHost to, LinkConfig config, SplittableRandom random) {
        this.network = network;
        this.from = from;
        this.to = to;
        this.config = Objects.requireNonNull(config, "config");
        this.random = random;
    }

    /** The sending host. */
    public SimHost from() {
        return from;
    }

    /** The receiving host. */
    public SimHost to() {
        return to;
    }

    /** The configuration in force. */
    public LinkConfig config() {
        return config;
    }

    /** Replaces the configuration for packets sent from now on. */
    public LinkDirection config(LinkConfig newConfig) {
        this.config = Objects.requireNonNull(newConfig, "config");
        return this;
    }

    /** True while packets sent on this direction are dropped. */
    public boolean isPartitioned() {
        return partitioned;
    }

    /** Cuts this direction now: packets sent from now on are dropped (those already travelling arrive). */
    public LinkDirection partition() {
        partitioned = true;
        return this;
    }

    /** Restores this direction now. */
    public LinkDirection heal() {
        partitioned = false;
        return this;
    }

    /** Cuts this direction at virtual time {@code atNanos}. */
    public LinkDirection partitionAt(long atNanos) {
        network.schedule(atNanos, this::partition);
        return this;
    }

    /** Restores this direction at virtual time {@code atNanos}. */
    public LinkDirection healAt(long atNanos) {
        network.schedule(atNanos, this::heal);
        return this;
    }

    /** A snapshot of the counters. */
    public LinkStats stats() {
        return new LinkStats(sent, delivered, droppedLoss, droppedQueueFull, droppedTooBig, droppedPartition,
                droppedNoReceiver, droppedAtClose, duplicated, corrupted, reordered, inFlight);
    }

    /** Takes ownership of {@code segment}: schedules its delivery or drops (releases) it. */
    void offer(long now, IpAddress source, IpAddress destination, ByteBuf segment) {
        sent++;
        LinkConfig c = config;
        if (partitioned) {
            droppedPartition++;
            network.drop(source, destination, segment, DropTap.Cause.PARTITION);
            return;
        }
        int ipLength = (source.isV4() ? 20 : 40) + segment.readableBytes();
        if (ipLength > c.mtu()) {
            droppedTooBig++;
            network.drop(source, destination, segment, DropTap.Cause.TOO_BIG);
            return;
        }
        long departure = now;
        if (c.bandwidthBitsPerSecond() > 0) {
            forgetDepartedBefore(now);
            // The head of the ring is on the wire; the others wait. Drop-tail beyond the limit.
            int waiting = Math.max(0, departuresSize - 1);
            if (departuresSize > 0 && waiting >= c.queueLimit()) {
                droppedQueueFull++;
                network.drop(source, destination, segment, DropTap.Cause.QUEUE_FULL);
                return;
            }
            long start = Math.max(now, transmitterFreeAt);
            departure = start + serializationNanos(ipLength, c.bandwidthBitsPerSecond());
            transmitterFreeAt = departure;
            rememberDeparture(departure);
        }
        if (c.loss() > 0 && random.nextDouble() < c.loss()) {
            droppedLoss++;
            network.drop(source, destination, segment, DropTap.Cause.LOSS);
            return;
        }
        ByteBuf packet = segment;
        if (c.corruption() > 0 && random.nextDouble() < c.corruption() && segment.readableBytes() > 0) {
            packet = flipOneBit(segment);
            corrupted++;
        }
        ByteBuf copy = null;
        if (c.duplication() > 0 && random.nextDouble() < c.duplication()) {
            copy = packet.copy();
            duplicated++;
        }
        schedule(c, departure, source, destination, packet);
        if (copy != null) {
            schedule(c, departure, source, destination, copy);
        }
    }

    /**
     * Time to clock {@code ipLength} bytes onto a wire of {@code bitsPerSecond}, rounded up to the
     * next nanosecond.
     */
    static long serializationNanos(int ipLength, long bitsPerSecond) {
        long bits = 8L * ipLength;
        // bits <= 8 * 65575, so bits * 1e9 stays far below Long.MAX_VALUE.
        return (bits * 1_000_000_000L + bitsPerSecond - 1) / bitsPerSecond;
    }

    private void forgetDepartedBefore(long now) {
        while (departuresSize > 0 && departures[departuresHead] <= now) {
            departuresHead = (departuresHead + 1) & (departures.length - 1);
            departuresSize--;
        }
    }

    private void rememberDeparture(long departure) {
        if (departuresSize == departures.length) {
            long[] bigger = new long[departures.length * 2];
            for (int i = 0; i < departuresSize; i++) {
                bigger[i] = departures[(departuresHead + i) & (departures.length - 1)];
            }
            departures = bigger;
            departuresHead = 0;
        }
        departures[(departuresHead + departuresSize) & (departures.length - 1)] = departure;
        departuresSize++;
    }

    /**
     * Packets in the transmitter at virtual time {@code now}: the one being serialized plus those
     * waiting behind it.
     */
    int transmitterBacklog(long now) {
        forgetDepartedBefore(now);
        return departuresSize;
    }

    private ByteBuf flipOneBit(ByteBuf segment) {
        // Copy first: the caller may share these bytes (e.g. a duplicate or a retained slice).
        ByteBuf damaged = segment.copy();
        segment.release();
        int bit = random.nextInt(damaged.readableBytes() * 8);
        int index = damaged.readerIndex() + bit / 8;
        damaged.setByte(index, damaged.getByte(index) ^ (1 << (bit % 8)));
        return damaged;
    }

    private void schedule(LinkConfig c, long departure, IpAddress source, IpAddress destination, ByteBuf packet) {
        long arrival = departure + c.latencyNanos();
        if (c.jitterNanos() > 0) {
            arrival += random.nextLong(c.jitterNanos() + 1);
        }
        if (c.reordering() > 0 && random.nextDouble() < c.reordering()) {
            reordered++;
            arrival += c.reorderDelayNanos(); // held back: later packets may overtake it
        } else {
            arrival = Math.max(arrival, lastInOrderArrival); // jitter alone never reorders
            lastInOrderArrival = arrival;
        }
        inFlight++;
        network.scheduleDelivery(arrival, this, source, destination, packet);
    }

    /** The network calls this when a packet of this direction arrives; takes ownership of {@code packet}. */
    void arrive(IpAddress source, IpAddress destination, ByteBuf packet) {
        inFlight--;
        SimNode node = to.node();
        if (node == null) {
            droppedNoReceiver++;
            network.drop(source, destination, packet, DropTap.Cause.NO_RECEIVER);
            return;
        }
        delivered++;
        network.tapDelivery(source, destination, packet);
        node.receive(source, destination, packet);
    }

    /** The network calls this for a packet still travelling when it closes. */
    void discard(IpAddress source, IpAddress destination, ByteBuf packet) {
        inFlight--;
        droppedAtClose++;
        network.drop(source, destination, packet, DropTap.Cause.NETWORK_CLOSED);
    }

    @Override
    public String toString() {
        return from.name() + " -> " + to.name() + ": " + stats();
    }
}
