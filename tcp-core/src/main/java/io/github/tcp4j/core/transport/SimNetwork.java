package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.timer.ManualClock;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic network of hosts on virtual time, for protocol tests and for teaching.
 *
 * <h2>Determinism</h2>
 * All randomness comes from the seed: each link direction gets its own stream, split from the
 * network's in the order links are created. Events run in (virtual time, insertion order); hosts
 * whose timers are due at the same instant run in the order they were added. The same seed and
 * the same program therefore produce the same traffic, bit for bit (a test compares the pcap
 * bytes of two runs).
 *
 * <h2>Time</h2>
 * The network owns a {@link ManualClock}. Driving methods ({@link #advance}, {@link #runUntil},
 * {@link #runUntilIdle}) repeatedly take the earliest of the next scheduled event (a packet
 * arrival, a partition, a scheduled action) and the hosts' {@link SimNode#nextDeadline()
 * deadlines}, set the clock to it and run it. Nothing happens between those instants, so ten
 * idle minutes cost a single step. When an event and a host deadline fall on the same instant,
 * the event runs first.
 *
 * <h2>Routing</h2>
 * A segment goes from the sending host to the host that owns its destination address, over the
 * link between them (a host sending to one of its own addresses uses an ideal loopback). With no
 * such host or no link, it is dropped and counted in {@link #unroutableDrops()}. The source
 * address is not checked, so a test can forge segments.
 *
 * <h2>Taps</h2>
 * A {@link #addTap send tap} sees every segment a host hands to its transport, once, at the
 * virtual time it is sent and before anything can happen to it: the view of a capture on the
 * sender's interface. It therefore also sees segments that are then unroutable, partitioned,
 * too big, queue-dropped or lost, and it never sees duplicates or corrupted bytes. A
 * {@link #addDeliveryTap delivery tap} is the receiver's view: it sees each copy handed to a
 * node, at its arrival time, with whatever corruption it suffered. Taps borrow the buffer.
 *
 * <h2>Buffers</h2>
 * The network owns every packet in flight and releases what it drops; a receiver owns what it is
 * handed. Corruption flips a bit in a private copy and duplication makes a full copy, so the
 * sender's bytes are never written to and the two copies of a duplicate share nothing.
 * {@link #close()} releases everything still travelling.
 *
 * <h2>Re-entrancy</h2>
 * Nodes may send (and schedule actions) from {@code receive} and {@code onTime}: what they send is
 * queued as events, never delivered synchronously, even with zero latency. They must not call the
 * driving methods; doing so throws {@link IllegalStateException}.
 *
 * <p>Single-threaded: call it from one thread (the test's).
 */
public final class SimNetwork implements AutoCloseable {

    /** Default limit on events in one driving call; see {@link #maxEventsPerRun(long)}. */
    public static final long DEFAULT_MAX_EVENTS_PER_RUN = 50_000_000L;

    private final long seed;
    private final ManualClock clock;
    private final SplittableRandom seedStream;
    private final List<SimHost> hosts = new ArrayList<>();
    private final Map<IpAddress, SimHost> hostByAddress = new HashMap<>();
    private final Map<Long, LinkDirection> directions = new LinkedHashMap<>();
    private final List<SegmentTap> taps = new ArrayList<>();
    private final List<SegmentTap> deliveryTaps = new ArrayList<>();
    private final List<DropTap> dropTaps = new ArrayList<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long nextEventSequence;
    private long eventsProcessed;
    private long maxEventsPerRun = DEFAULT_MAX_EVENTS_PER_RUN;
    private long unroutableDrops;
    private boolean closed;
    private boolean driving;

    /** A network with its own clock starting at 0. */
    public SimNetwork(long seed) {
        this(seed, new ManualClock());
    }

    /** A network driving the given clock (which nothing else should move). */
    public SimNetwork(long seed, ManualClock clock) {
        this.seed = seed;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.seedStream = new SplittableRandom(seed);
    }

    /** The seed this network was made with. */
    public long seed() {
        return seed;
    }

    /** The virtual clock; hand it to every stack on this network. */
    public ManualClock clock() {
        return clock;
    }

    /** Current virtual time in nanoseconds. */
    public long now() {
        return clock.nanos();
    }

    // ---------------------------------------------------------------- topology

    /**
     * Adds a host owning {@code addresses} (at least one).
     *
     * @throws IllegalArgumentException if an address already belongs to a host
     */
    public SimHost addHost(String name, IpAddress... addresses) {
        if (addresses.length == 0) {
            throw new IllegalArgumentException("a host needs at least one address");
        }
        for (IpAddress a : addresses) {
            if (hostByAddress.containsKey(Objects.requireNonNull(a, "address"))) {
                throw new IllegalArgumentException(a + " already belongs to " + hostByAddress.get(a));
            }
        }
        SimHost host = new SimHost(this, name, Arrays.asList(addresses), hosts.size());
        hosts.add(host);
        for (IpAddress a : addresses) {
            hostByAddress.put(a, host);
        }
        return host;
    }

    /** The host owning {@code address}, or null. */
    public SimHost host(IpAddress address) {
        return hostByAddress.get(address);
    }

    /** The hosts, in the order they were added. */
    public List<SimHost> hosts() {
        return List.copyOf(hosts);
    }

    /** Links {@code a} and {@code b} with the same configuration in both directions. */
    public SimLink link(SimHost a, SimHost b, LinkConfig config) {
        return link(a, b, config, config);
    }

    /**
     * Links {@code a} and {@code b}, with {@code aToB} for what {@code a} sends and {@code bToA}
     * for what {@code b} sends.
     *
     * @throws IllegalArgumentException if they are already linked, are the same host, or belong
     *     to another network
     */
    public SimLink link(SimHost a, SimHost b, LinkConfig aToB, LinkConfig bToA) {
        if (a == b) {
            throw new IllegalArgumentException("a host reaches itself over loopback, not a link: " + a);
        }
        if (hosts.get(a.index()) != a || hosts.get(b.index()) != b) {
            throw new IllegalArgumentException("both hosts must belong to this network");
        }
        if (directions.containsKey(key(a, b))) {
            throw new IllegalArgumentException(a.name() + " and " + b.name() + " are already linked");
        }
        LinkDirection ab = new LinkDirection(this, a, b, aToB, seedStream.split());
        LinkDirection ba = new LinkDirection(this, b, a, bToA, seedStream.split());
        directions.put(key(a, b), ab);
        directions.put(key(b, a), ba);
        return new SimLink(ab, ba);
    }

    /**
     * The direction carrying {@code from}'s segments to {@code to}.
     *
     * @throws IllegalArgumentException if the hosts are not linked
     */
    public LinkDirection direction(SimHost from, SimHost to) {
        LinkDirection d = directions.get(key(from, to));
        if (d == null) {
            throw new IllegalArgumentException(from.name() + " has no link to " + to.name());
        }
        return d;
    }

    /**
     * Adds an observer of every segment a host sends, at its send time and before routing or any
     * fault applies to it (see the class comment). A {@code PcapWriter} plugs in as
     * {@code net.addTap(pcap::writeSegment)}. Taps run in the order they were added.
     */
    public void addTap(SegmentTap tap) {
        taps.add(Objects.requireNonNull(tap, "tap"));
    }

    /**
     * Adds an observer of every copy handed to a node, at its arrival time and with its bytes as
     * delivered (corrupted, duplicated), just before the node's {@code receive}.
     */
    public void addDeliveryTap(SegmentTap tap) {
        deliveryTaps.add(Objects.requireNonNull(tap, "tap"));
    }

    /**
     * Adds an observer of every segment the network drops (unroutable, partitioned, too big,
     * queue full, lost, no receiver, still travelling at close), with the cause.
     */
    public void addDropTap(DropTap tap) {
        dropTaps.add(Objects.requireNonNull(tap, "tap"));
    }

    /** Shows {@code packet} to the drop taps, then releases it (the network owned it). */
    void drop(IpAddress source, IpAddress destination, ByteBuf packet, DropTap.Cause cause) {
        try {
            for (DropTap tap : dropTaps) {
                tap.dropped(source, destination, packet, cause);
            }
        } finally {
            packet.release();
        }
    }

    /** Lets the delivery taps see {@code packet}, which is about to be handed to a node. */
    void tapDelivery(IpAddress source, IpAddress destination, ByteBuf packet) {
        for (SegmentTap tap : deliveryTaps) {
            tap.tap(source, destination, packet);
        }
    }

    /** Segments dropped because no host owns the destination or no link leads there. */
    public long unroutableDrops() {
        return unroutableDrops;
    }

    /**
     * Scheduler iterations since the network was made: each packet arrival, scheduled action and
     * round of host timer calls counts one. Simulating an idle stretch costs one iteration per
     * timer that fires in it, however long it is.
     */
    public long eventsProcessed() {
        return eventsProcessed;
    }

    /**
     * Caps the events one driving call may run, so a protocol bug that loops forever (a node
     * whose deadline never moves, two nodes ping-ponging) fails with an error instead of hanging.
     */
    public void maxEventsPerRun(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("max events must be >= 1: " + max);
        }
        this.maxEventsPerRun = max;
    }

    private static long key(SimHost from, SimHost to) {
        return ((long) from.index() << 32) | to.index();
    }

    // ---------------------------------------------------------------- sending

    void send(SimHost from, IpAddress source, IpAddress destination, ByteBuf segment) {
        if (closed) {
            unroutableDrops++;
            drop(source, destination, segment, DropTap.Cause.NETWORK_CLOSED);
            return;
        }
        for (SegmentTap tap : taps) {
            tap.tap(source, destination, segment);
        }
        SimHost to = hostByAddress.get(destination);
        if (to == null) {
            unroutableDrops++;
            drop(source, destination, segment, DropTap.Cause.UNROUTABLE);
            return;
        }
        if (to == from) {
            scheduleLoopback(to, source, destination, segment);
            return;
        }
        LinkDirection d = directions.get(key(from, to));
        if (d == null) {
            unroutableDrops++;
            drop(source, destination, segment, DropTap.Cause.UNROUTABLE);
            return;
        }
        d.offer(clock.nanos(), source, destination, segment);
    }

    private void scheduleLoopback(SimHost host, IpAddress source, IpAddress destination, ByteBuf segment) {
        events.add(new Event(clock.nanos(), nextEventSequence++, null, host, source, destination, segment, null));
    }

    void scheduleDelivery(long atNanos, LinkDirection direction, IpAddress source, IpAddress destination, ByteBuf packet) {
        events.add(new Event(atNanos, nextEventSequence++, direction, null, source, destination, packet, null));
    }

    /**
     * Runs {@code action} at virtual time {@code atNanos} (now, if that is in the past), after the
     * events already scheduled for that instant. For tests: inject a fault, a user call, a check.
     */
    public void schedule(long atNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        events.add(new Event(Math.max(atNanos, clock.nanos()), nextEventSequence++, null, null, null, null, null, action));
    }

    /** Runs {@code action} after {@code delay} of virtual time. */
    public void schedule(Duration delay, Runnable action) {
        schedule(Math.addExact(clock.nanos(), delay.toNanos()), action);
    }

    // ---------------------------------------------------------------- driving

    /** Runs everything due within the next {@code duration}, then sets the clock to its end. */
    public void advance(Duration duration) {
        advanceNanos(duration.toNanos());
    }

    /** Runs everything due within the next {@code nanos}, then sets the clock to its end. */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("cannot advance by a negative time: " + nanos);
        }
        long end = Math.addExact(clock.nanos(), nanos);
        run(end, null);
        clock.set(end);
    }

    /** Runs everything due up to virtual time {@code atNanos} (not before now), then sets the clock to it. */
    public void advanceTo(long atNanos) {
        advanceNanos(Math.max(0, atNanos - clock.nanos()));
    }

    /**
     * Runs the single next thing: the earliest event, or (if the hosts' earliest deadline comes
     * first) one round of due host timers, moving the clock to its time.
     *
     * @return false if nothing was scheduled (the clock did not move)
     */
    public boolean step() {
        enterDriving();
        try {
            return runOne(Long.MAX_VALUE);
        } finally {
            driving = false;
        }
    }

    /**
     * Runs until {@code condition} holds (checked before the first event and after each one) or
     * {@code virtualTimeout} of virtual time has passed.
     *
     * @return true if the condition holds; false on timeout, with the clock at the timeout
     */
    public boolean runUntil(BooleanSupplier condition, Duration virtualTimeout) {
        Objects.requireNonNull(condition, "condition");
        if (virtualTimeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + virtualTimeout);
        }
        if (condition.getAsBoolean()) {
            return true;
        }
        long end = Math.addExact(clock.nanos(), virtualTimeout.toNanos());
        if (run(end, condition)) {
            return true;
        }
        clock.set(end);
        return false;
    }

    /**
     * Runs until nothing is scheduled: no packet travelling, no action pending and no host timer.
     *
     * @throws IllegalStateException if more than {@link #maxEventsPerRun(long)} events run first
     */
    public void runUntilIdle() {
        run(Long.MAX_VALUE, null);
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** True when nothing is scheduled: no packet travelling, no action pending, no host timer. */
    public boolean isIdle() {
        return events.isEmpty() && earliestDeadline() == Long.MAX_VALUE;
    }

    private boolean run(long end, BooleanSupplier condition) {
        enterDriving();
        try {
            long budget = maxEventsPerRun;
            while (true) {
                if (--budget < 0 && hasWorkBy(end)) {
                    throw new IllegalStateException("more than " + maxEventsPerRun
                            + " events in one driving call, at virtual time " + clock.nanos()
                            + " ns: a node that never goes idle (a deadline that does not move, endless"
                            + " ping-pong)? Raise maxEventsPerRun if the work is real. (seed " + seed + ")");
                }
                if (!runOne(end)) {
                    return false;
                }
                if (condition != null && condition.getAsBoolean()) {
                    return true;
                }
            }
        } finally {
            driving = false;
        }
    }

    private void enterDriving() {
        if (driving) {
            throw new IllegalStateException("a SimNetwork driving method was called from inside an event or a node;"
                    + " nodes send and schedule, the test drives");
        }
        driving = true;
    }

    /** True if an event or a host deadline is due at or before {@code end}. */
    private boolean hasWorkBy(long end) {
        Event next = events.peek();
        long time = Math.min(next == null ? Long.MAX_VALUE : next.time, earliestDeadline());
        return time != Long.MAX_VALUE && time <= end;
    }

    /**
     * Runs the earliest event or round of due timers if it is due at or before {@code end}.
     * At one instant, events run before host timers (so an ACK arriving exactly when a
     * retransmission timer expires is seen first).
     */
    private boolean runOne(long end) {
        Event next = events.peek();
        long eventTime = next == null ? Long.MAX_VALUE : next.time;
        long deadline = earliestDeadline();
        long time = Math.min(eventTime, deadline);
        if (time == Long.MAX_VALUE || time > end) {
            return false;
        }
        clock.set(Math.max(time, clock.nanos()));
        eventsProcessed++;
        if (eventTime <= deadline) {
            runEvent(events.poll());
        } else {
            fireDueTimers();
        }
        return true;
    }

    private long earliestDeadline() {
        long min = Long.MAX_VALUE;
        for (SimHost h : hosts) {
            SimNode node = h.node();
            if (node != null) {
                min = Math.min(min, node.nextDeadline());
            }
        }
        return min;
    }

    private void fireDueTimers() {
        long now = clock.nanos();
        for (SimHost h : hosts) {
            SimNode node = h.node();
            if (node != null && node.nextDeadline() <= now) {
                node.onTime(now);
            }
        }
    }

    private void runEvent(Event e) {
        if (e.action != null) {
            e.action.run();
        } else if (e.direction != null) {
            e.direction.arrive(e.source, e.destination, e.packet);
        } else {
            SimNode node = e.loopbackHost.node();
            if (node == null) {
                unroutableDrops++;
                drop(e.source, e.destination, e.packet, DropTap.Cause.NO_RECEIVER);
            } else {
                tapDelivery(e.source, e.destination, e.packet);
                node.receive(e.source, e.destination, e.packet);
            }
        }
    }

    /**
     * Releases every packet still travelling (counted per direction as
     * {@link LinkStats#droppedAtClose() dropped at close}) and refuses further traffic: later
     * sends are released and counted as unroutable. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        Event e;
        while ((e = events.poll()) != null) {
            if (e.packet != null) {
                if (e.direction != null) {
                    e.direction.discard(e.source, e.destination, e.packet);
                } else {
                    drop(e.source, e.destination, e.packet, DropTap.Cause.NETWORK_CLOSED);
                }
            }
        }
    }

    /** One scheduled thing: a packet arrival (over a link or loopback) or an action. */
    private static final class Event implements Comparable<Event> {
        final long time;
        final long sequence;
        final LinkDirection direction;
        final SimHost loopbackHost;
        final IpAddress source;
        final IpAddress destination;
        final ByteBuf packet;
        final Runnable action;

        Event(long time, long sequence, LinkDirection direction, SimHost loopbackHost, IpAddress source,
                IpAddress destination, ByteBuf packet, Runnable action) {
            this.time = time;
            this.sequence = sequence;
            this.direction = direction;
            this.loopbackHost = loopbackHost;
            this.source = source;
            this.destination = destination;
            this.packet = packet;
            this.action = action;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
