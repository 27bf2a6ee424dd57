package io.github.tcp4j.core.timer;

import java.util.Objects;

/**
 * A hierarchical timing wheel (Varghese and Lauck's scheme 7): the one place every timer of a
 * tcp4j stack lives.
 *
 * <h2>Shape</h2>
 * Four levels of 256 slots. Level 0 holds timers due within the current block of 256 ticks, one
 * slot per tick; level {@code l} holds timers due within the current block of 256^(l+1) ticks, one
 * slot per 256^l ticks. With the default 1 ms tick the levels span 256 ms, 65.5 s, 4.7 h and
 * 49.7 days; timers beyond that wait in an overflow list and are re-placed when their block comes
 * near, so any deadline works. A 256-bit occupancy map per level (four longs) finds the next slot
 * with work in a few instructions, so {@link #advanceTo(long)} jumps over empty time instead of
 * walking it. (A first version had five levels of 64 slots; 256 halves the cascades of the
 * timers TCP uses most, seconds to minutes away, and made expiry a third faster.)
 *
 * <h2>Precision: never early, at most one tick late, at every level</h2>
 * A timer with deadline {@code d} belongs to tick {@code ceil((d - origin) / tick)}. When a
 * higher-level slot's block begins, its timers cascade to finer levels, down to their exact tick
 * on level 0, so a timer fires in the first {@code advanceTo(now)} whose {@code now} reaches its
 * tick: never before {@code d}, and less than one tick after it, however far ahead it was
 * scheduled and however many ticks one call catches up over. (Linux's timer wheel rounds instead
 * of cascading and is late by up to 1/8 of the delay; TCP's RTO and the simulator's reproducible
 * timings want the exact tick, and cascading costs at most three moves per timer.)
 *
 * <h2>Order</h2>
 * Timers due at the same tick fire in order of deadline, and timers with equal deadlines in the
 * order they were (last) scheduled. The order depends only on the calls made, so a simulation is
 * reproducible.
 *
 * <h2>Cost</h2>
 * {@link #schedule}, {@link #cancel} and rescheduling are O(1) and allocate nothing: the
 * {@link Timer} is the list node, unlinked at once on cancel. {@link #nextDeadline()} is O(levels).
 * Firing costs O(1) per timer plus a sort of the tick's timers when cascading left them out of
 * order (a merge sort of the list, O(n log n), no allocation).
 *
 * <h2>Threads</h2>
 * Single-threaded by design: the stack's one event-loop thread (or the simulator) owns the wheel
 * and every timer on it. Nothing is synchronized.
 */
public final class TimerWheel {

    /** Default tick: one millisecond. */
    public static final long DEFAULT_TICK_NANOS = 1_000_000L;

    private static final int SLOT_BITS = 8;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final int WORDS = SLOTS / 64;
    private static final int LEVELS = 4;
    private static final int OVERFLOW = LEVELS * SLOTS;
    private static final int FIRING = OVERFLOW + 1;
    /** Ticks are kept below this so that tick arithmetic never overflows. */
    private static final long MAX_TICK = Long.MAX_VALUE >> 2;

    private final long tickNanos;
    private final long origin;
    private final Timer[] heads = new Timer[FIRING + 1];
    /** Occupancy bitmap: bit {@code slot} of level {@code l} is bit {@code slot % 64} of word {@code l * WORDS + slot / 64}. */
    private final long[] occupied = new long[LEVELS * WORDS];
    /** The next tick to process: every tick before it has been processed. */
    private long tick;
    private long lastNow;
    private long sequence;
    private int size;

    /** A wheel with a 1 ms tick whose time starts at {@code originNanos} (usually {@code clock.nanos()}). */
    public TimerWheel(long originNanos) {
        this(DEFAULT_TICK_NANOS, originNanos);
    }

    /**
     * A wheel with the given tick whose time starts at {@code originNanos}.
     *
     * @throws IllegalArgumentException if {@code tickNanos} is not positive
     */
    public TimerWheel(long tickNanos, long originNanos) {
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tick must be positive: " + tickNanos);
        }
        this.tickNanos = tickNanos;
        this.origin = originNanos;
        this.lastNow = originNanos;
        for (int i = 0; i < heads.length; i++) {
            heads[i] = new Timer();
        }
    }

    /** The tick length in nanoseconds. */
    public long tickNanos() {
        return tickNanos;
    }

    /** Timers scheduled and not yet fired or cancelled. */
    public int size() {
        return size;
    }

    /**
     * Schedules {@code timer} to fire at {@code deadlineNanos} (a time of the wheel's clock),
     * moving it if it was already scheduled. A deadline already past fires on the next
     * {@code advanceTo}. O(1), no allocation.
     *
     * @throws IllegalStateException if the timer belongs to another wheel
     */
    public void schedule(Timer timer, long deadlineNanos) {
        Objects.requireNonNull(timer, "timer");
        if (timer.wheel == null) {
            timer.wheel = this;
        } else if (timer.wheel != this) {
            throw new IllegalStateException("timer " + timer.name + " belongs to another wheel");
        }
        if (timer.list >= 0) {
            unlink(timer);
        } else {
            size++;
        }
        timer.deadline = deadlineNanos;
        timer.tick = Math.max(tickOf(deadlineNanos), tick);
        timer.sequence = sequence++;
        place(timer);
    }

    /**
     * Cancels {@code timer}: it is unlinked at once and will not fire. O(1).
     *
     * @return true if it was scheduled on this wheel
     */
    public boolean cancel(Timer timer) {
        if (timer.wheel != this || timer.list < 0) {
            return false;
        }
        unlink(timer);
        timer.list = -1;
        size--;
        return true;
    }

    /**
     * Fires, in order, every timer whose tick is at or before {@code nowNanos}, cascading and
     * skipping empty stretches on the way, however much time has passed since the last call.
     *
     * @return how many timers fired
     * @throws IllegalArgumentException if {@code nowNanos} is earlier than a previous call's
     */
    public int advanceTo(long nowNanos) {
        if (nowNanos < lastNow) {
            throw new IllegalArgumentException("time went backwards: " + nowNanos + " < " + lastNow);
        }
        lastNow = nowNanos;
        long nowTick = Math.min(Math.floorDiv(saturatingSubtract(nowNanos, origin), tickNanos), MAX_TICK);
        int fired = 0;
        while (true) {
            long next = nextWorkTick();
            if (next > nowTick) {
                // Nothing needs doing up to nowTick: jump there (no slot's block starts in between).
                tick = Math.max(tick, nowTick + 1);
                return fired;
            }
            tick = next;
            cascadeAt(next);
            // From here on, timers scheduled by the tasks being fired go to the next tick or later.
            tick = next + 1;
            fired += fireSlot(next, nowNanos);
        }
    }

    /**
     * The earliest time at which {@link #advanceTo} has work: a timer to fire or one to cascade to
     * a finer level (which may come before any timer is due). {@link Long#MAX_VALUE} when empty.
     * A driver sleeps until then; the simulator jumps there.
     */
    public long nextDeadline() {
        if (size == 0) {
            return Long.MAX_VALUE;
        }
        long t = nextWorkTick();
        // The tick's time is never before a deadline it holds; saturate where it lies beyond the clock's range.
        if (t >= MAX_TICK || t > (Long.MAX_VALUE - Math.max(origin, 0)) / tickNanos) {
            return Long.MAX_VALUE;
        }
        return origin + t * tickNanos;
    }

    // ---------------------------------------------------------------- placement

    private long tickOf(long deadlineNanos) {
        long delta = saturatingSubtract(deadlineNanos, origin);
        if (delta <= 0) {
            return 0;
        }
        long t = delta / tickNanos + (delta % tickNanos == 0 ? 0 : 1); // round up: never early
        return Math.min(t, MAX_TICK);
    }

    private static long saturatingSubtract(long a, long b) {
        long r = a - b;
        // Overflow iff the operands have different signs and the result's sign differs from a's.
        if (((a ^ b) & (a ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** Puts a timer whose tick is set (and >= the current tick) on the right list. */
    private void place(Timer timer) {
        long t = timer.tick;
        for (int level = 0; level < LEVELS; level++) {
            int shift = SLOT_BITS * (level + 1);
            if ((t >>> shift) == (tick >>> shift)) {
                int slot = (int) (t >>> (SLOT_BITS * level)) & (SLOTS - 1);
                link(timer, level * SLOTS + slot);
                occupied[level * WORDS + (slot >>> 6)] |= 1L << slot;
                return;
            }
        }
        link(timer, OVERFLOW);
    }

    /** The next tick at which a slot must fire or cascade, or at which the overflow must be re-placed. */
    private long nextWorkTick() {
        long best = Long.MAX_VALUE;
        for (int level = 0; level < LEVELS; level++) {
            int levelShift = SLOT_BITS * level;
            int current = (int) (tick >>> levelShift) & (SLOTS - 1);
            // Level 0 may hold the current tick's slot. A higher level holds the current slot only
            // when the current tick begins it and its cascade is still to do; otherwise later slots.
            boolean blockStart = (tick & ((1L << levelShift) - 1)) == 0;
            int slot = nextOccupied(level, level == 0 || blockStart ? current : current + 1);
            if (slot < 0) {
                continue;
            }
            int blockShift = SLOT_BITS * (level + 1);
            long candidate = ((tick >>> blockShift) << blockShift) | ((long) slot << levelShift);
            best = Math.min(best, candidate);
        }
        if (heads[OVERFLOW].next != heads[OVERFLOW]) {
            int topShift = SLOT_BITS * LEVELS;
            long boundary = (tick & ((1L << topShift) - 1)) == 0 ? tick : ((tick >>> topShift) + 1) << topShift;
            best = Math.min(best, boundary);
        }
        return best;
    }

    /** The first occupied slot of {@code level} at or after {@code from}, or -1. */
    private int nextOccupied(int level, int from) {
        for (int word = from >>> 6; word < WORDS && from < SLOTS; word++) {
            long bits = occupied[level * WORDS + word];
            if (word == from >>> 6) {
                bits &= -1L << from; // shifts use the low six bits: from % 64
            }
            if (bits != 0) {
                return (word << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        return -1;
    }

    /** At tick {@code t}, moves timers of every level whose block begins now to finer levels, highest first. */
    private void cascadeAt(long t) {
        long topShift = SLOT_BITS * LEVELS;
        if ((t & ((1L << topShift) - 1)) == 0) {
            replaceAll(OVERFLOW);
        }
        for (int level = LEVELS - 1; level >= 1; level--) {
            int levelShift = SLOT_BITS * level;
            if ((t & ((1L << levelShift) - 1)) != 0) {
                continue; // this level's slot does not begin at t
            }
            int slot = (int) (t >>> levelShift) & (SLOTS - 1);
            if ((occupied[level * WORDS + (slot >>> 6)] & (1L << slot)) != 0) {
                replaceAll(level * SLOTS + slot);
            }
        }
    }

    /** Re-places every timer of list {@code index} relative to the current tick. */
    private void replaceAll(int index) {
        Timer head = heads[index];
        Timer n = head.next;
        head.next = head;
        head.prev = head;
        clearBit(index);
        while (n != head) {
            Timer following = n.next;
            place(n);
            n = following;
        }
    }

    // ---------------------------------------------------------------- firing

    private int fireSlot(long t, long nowNanos) {
        int slot = (int) t & (SLOTS - 1);
        if ((occupied[slot >>> 6] & (1L << slot)) == 0) {
            return 0;
        }
        Timer slotHead = heads[slot];
        Timer firing = heads[FIRING];
        // Move the tick's timers to the firing list, so tasks may schedule and cancel freely.
        firing.next = slotHead.next;
        firing.prev = slotHead.prev;
        firing.next.prev = firing;
        firing.prev.next = firing;
        slotHead.next = slotHead;
        slotHead.prev = slotHead;
        occupied[slot >>> 6] &= ~(1L << slot);
        // One pass marks the timers as firing and checks whether cascading left them out of order.
        boolean sorted = true;
        for (Timer n = firing.next; n != firing; n = n.next) {
            n.list = FIRING;
            sorted &= n.next == firing || !before(n.next, n);
        }
        if (!sorted) {
            sort(firing);
        }
        int fired = 0;
        while (firing.next != firing) {
            Timer timer = firing.next;
            unlink(timer);
            timer.list = -1;
            size--;
            fired++;
            timer.task.run(timer, nowNanos);
        }
        return fired;
    }

    /** Sorts a list by (deadline, sequence) with a merge sort over the links. */
    private static void sort(Timer head) {
        head.prev.next = null; // make it a null-terminated singly linked list
        Timer first = mergeSort(head.next);
        Timer previous = head;
        for (Timer n = first; n != null; n = n.next) {
            n.prev = previous;
            previous.next = n;
            previous = n;
        }
        previous.next = head;
        head.prev = previous;
    }

    private static Timer mergeSort(Timer first) {
        if (first == null || first.next == null) {
            return first;
        }
        // Split in halves with a slow and a fast pointer.
        Timer slow = first;
        Timer fast = first.next;
        while (fast != null && fast.next != null) {
            slow = slow.next;
            fast = fast.next.next;
        }
        Timer second = slow.next;
        slow.next = null;
        Timer a = mergeSort(first);
        Timer b = mergeSort(second);
        Timer result = null;
        Timer tail = null;
        while (a != null && b != null) {
            Timer pick;
            if (before(b, a)) {
                pick = b;
                b = b.next;
            } else {
                pick = a;
                a = a.next;
            }
            if (tail == null) {
                result = pick;
            } else {
                tail.next = pick;
            }
            tail = pick;
        }
        tail.next = a != null ? a : b;
        return result;
    }

    private static boolean before(Timer x, Timer y) {
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.sequence < y.sequence;
    }

    // ---------------------------------------------------------------- lists

    private void link(Timer timer, int index) {
        Timer head = heads[index];
        timer.list = index;
        timer.prev = head.prev;
        timer.next = head;
        head.prev.next = timer;
        head.prev = timer;
    }

    private void unlink(Timer timer) {
        int index = timer.list;
        timer.prev.next = timer.next;
        timer.next.prev = timer.prev;
        timer.prev = null;
        timer.next = null;
        Timer head = heads[index];
        if (head.next == head) {
            clearBit(index);
        }
    }

    private void clearBit(int index) {
        if (index < OVERFLOW) {
            occupied[index >>> 6] &= ~(1L << index); // index = level * SLOTS + slot, and SLOTS is a multiple of 64
        }
    }

    @Override
    public String toString() {
        return "TimerWheel[size=" + size + ", tick=" + tickNanos + " ns, now tick " + tick + "]";
    }
}
