package io.github.tcp4j.api;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PacketChannel} wrapper that loses, duplicates and reorders packets at random, with a
 * seed, in each direction on its own: for testing a stack against a real peer (the Linux kernel
 * over a TUN device) on a path worse than the machine's, where no netem queueing discipline is at
 * hand. It can also hold back everything written until told to let it go, which makes a race
 * such as a simultaneous close happen every time.
 *
 * <h2>The faults</h2>
 * Each packet meets, in order: loss (released, never seen again), duplication (a copy follows it)
 * and reordering (it is held back and passes right after the next packet of its direction, so one
 * later packet overtakes it; if no packet follows, it waits until one does or the channel closes).
 * Each direction draws from its own random stream split from the seed, so the faults of one
 * direction depend only on the packets of that direction.
 *
 * <p>Thread-safe in the {@link PacketChannel} sense (one reader, any writers). Closing it closes the
 * wrapped channel and releases the packets it holds.
 */
public final class FaultInjectingPacketChannel implements PacketChannel {

    /**
     * The fault probabilities of one direction, each in [0, 1].
     *
     * @param loss probability that a packet is dropped
     * @param duplicate probability that a packet is delivered twice
     * @param reorder probability that a packet is overtaken by the next one
     */
    public record Faults(double loss, double duplicate, double reorder) {

        /** No faults. */
        public static final Faults NONE = new Faults(0, 0, 0);

        /** Validates the probabilities. */
        public Faults {
            check("loss", loss);
            check("duplicate", duplicate);
            check("reorder", reorder);
        }

        /** Only loss, with probability {@code p}. */
        public static Faults loss(double p) {
            return new Faults(p, 0, 0);
        }

        private static void check(String what, double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(what + " probability must be in [0, 1]: " + p);
            }
        }
    }

    private final PacketChannel inner;
    private final Faults inbound;
    private final Faults outbound;

    // Read side: the reader thread only.
    private final SplittableRandom inRandom;
    private final ArrayDeque<ByteBuf> readyIn = new ArrayDeque<>();
    private ByteBuf heldIn;

    // Write side: under writeLock.
    private final Object writeLock = new Object();
    private final SplittableRandom outRandom;
    private ByteBuf heldOut;
    private boolean holdingAll;
    private final List<ByteBuf> heldAll = new ArrayList<>();

    private volatile boolean closed;
    private final AtomicLong droppedIn = new AtomicLong();
    private final AtomicLong droppedOut = new AtomicLong();
    private final AtomicLong duplicatedIn = new AtomicLong();
    private final AtomicLong duplicatedOut = new AtomicLong();
    private final AtomicLong reorderedIn = new AtomicLong();
    private final AtomicLong reorderedOut = new AtomicLong();

    /**
     * Wraps {@code inner} (which it owns from now on).
     *
     * @param seed the seed of both directions' random streams: the same seed and the same packets
     *     give the same faults
     * @param inbound the faults of packets read
     * @param outbound the faults of packets written
     */
    public FaultInjectingPacketChannel(PacketChannel inner, long seed, Faults inbound, Faults outbound) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        SplittableRandom root = new SplittableRandom(seed);
        this.inRandom = root.split();
        this.outRandom = root.split();
    }

    // ------------------------------------------------------------------ reading

    @Override
    public ByteBuf read() throws IOException {
        return next(true);
    }

    @Override
    public ByteBuf tryRead() throws IOException {
        return next(false);
    }

    /** The next packet through the inbound faults; waits for one only if {@code block}. */
    private ByteBuf next(boolean block) throws IOException {
        while (true) {
            ByteBuf ready = readyIn.poll();
            if (ready != null) {
                return ready;
            }
            ByteBuf packet = block ? inner.read() : inner.tryRead();
            if (packet == null) {
                if (block || closed) {
                    releaseHeldIn(); // the channel is closed: what was held back will never pass
                }
                return null;
            }
            if (hits(inRandom, inbound.loss())) {
                droppedIn.incrementAndGet();
                packet.release();
                continue;
            }
            boolean duplicate = hits(inRandom, inbound.duplicate());
            if (heldIn == null && hits(inRandom, inbound.reorder())) {
                reorderedIn.incrementAndGet();
                heldIn = duplicate ? withCopy(packet, duplicatedIn) : packet; // a duplicate is held as one packet
                continue;
            }
            readyIn.add(packet);
            if (duplicate) {
                duplicatedIn.incrementAndGet();
                readyIn.add(packet.copy());
            }
            if (heldIn != null) {
                readyIn.add(heldIn); // the held packet passes right after this one
                heldIn = null;
            }
        }
    }

    /** Queues a copy now; returns the original (held). Only used on the read side. */
    private ByteBuf withCopy(ByteBuf packet, AtomicLong counter) {
        counter.incrementAndGet();
        readyIn.add(packet.copy()); // the copy arrives on time, the original late
        return packet;
    }

    private void releaseHeldIn() {
        if (heldIn != null) {
            heldIn.release();
            heldIn = null;
        }
        ByteBuf b;
        while ((b = readyIn.poll()) != null) {
            b.release();
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void write(ByteBuf packet) throws IOException {
        synchronized (writeLock) {
            if (closed) {
                packet.release();
                return;
            }
            if (holdingAll) {
                heldAll.add(packet);
                return;
            }
            if (hits(outRandom, outbound.loss())) {
                droppedOut.incrementAndGet();
                packet.release();
                return;
            }
            boolean duplicate = hits(outRandom, outbound.duplicate());
            if (heldOut == null && hits(outRandom, outbound.reorder())) {
                reorderedOut.incrementAndGet();
                if (duplicate) {
                    duplicatedOut.incrementAndGet();
                    inner.write(packet.copy()); // the copy goes on time, the original late
                }
                heldOut = packet;
                return;
            }
            ByteBuf copy = null;
            if (duplicate) {
                duplicatedOut.incrementAndGet();
                copy = packet.copy();
            }
            ByteBuf late = heldOut;
            heldOut = null;
            try {
                inner.write(packet);
            } finally {
                writeRest(copy, late);
            }
        }
    }

    /** Writes the duplicate and the packet held back, releasing both whatever happens. */
    private void writeRest(ByteBuf copy, ByteBuf late) throws IOException {
        try {
            if (copy != null) {
                inner.write(copy);
            }
        } finally {
            if (late != null) {
                inner.write(late);
            }
        }
    }

    /**
     * From now on, packets written are held (in order, without faults) instead of sent, as if the
     * path out were cut, until {@link #releaseOutbound()}. Packets read still arrive.
     */
    public void holdOutbound() {
        synchronized (writeLock) {
            holdingAll = true;
        }
    }

    /** Sends the packets {@link #holdOutbound()} held, in order, and lets later ones through again. */
    public void releaseOutbound() throws IOException {
        synchronized (writeLock) {
            holdingAll = false;
            List<ByteBuf> queued = new ArrayList<>(heldAll);
            heldAll.clear();
            IOException failure = null;
            for (ByteBuf b : queued) {
                try {
                    inner.write(b);
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Packets held by {@link #holdOutbound()} and not yet released. */
    public int heldOutbound() {
        synchronized (writeLock) {
            return heldAll.size();
        }
    }

    private static boolean hits(SplittableRandom random, double p) {
        return p > 0 && random.nextDouble() < p;
    }

    // ------------------------------------------------------------------ counters

    /** Packets read from the wrapped channel and dropped. */
    public long droppedInbound() {
        return droppedIn.get();
    }

    /** Packets written and dropped. */
    public long droppedOutbound() {
        return droppedOut.get();
    }

    /** Packets read that were delivered twice. */
    public long duplicatedInbound() {
        return duplicatedIn.get();
    }

    /** Packets written that went out twice. */
    public long duplicatedOutbound() {
        return duplicatedOut.get();
    }

    /** Packets read that were overtaken by the next one. */
    public long reorderedInbound() {
        return reorderedIn.get();
    }

    /** Packets written that were overtaken by the next one. */
    public long reorderedOutbound() {
        return reorderedOut.get();
    }

    @Override
    public String toString() {
        return "FaultInjectingPacketChannel in[dropped=" + droppedIn + " duplicated=" + duplicatedIn + " reordered="
                + reorderedIn + "] out[dropped=" + droppedOut + " duplicated=" + duplicatedOut + " reordered="
                + reorderedOut + "]";
    }

    /** Closes the wrapped channel and releases the packets held back for writing (the reader releases its own). */
    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (heldOut != null) {
                heldOut.release();
                heldOut = null;
            }
            heldAll.forEach(ByteBuf::release);
            heldAll.clear();
        }
        inner.close();
    }
}
