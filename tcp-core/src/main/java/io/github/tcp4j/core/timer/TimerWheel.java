package io.github.tcp4j.core.timer;

import java.util.Objects;

/**
 * A hierarchical timing wheel: the one place every timer of a tcp4j stack lives.
 *
 * <h2>Shape</h2>
 * Level 0 is a plain wheel of 65,536 slots, one per tick (Varghese and Lauck's scheme 4): it holds
 * every timer due within the next 65,536 ticks, 65.5 s with the default 1 ms tick, so the timers TCP
 * uses most (RTO, delayed ACK, persist, FIN_WAIT_2, TIME_WAIT: milliseconds to a minute) go
 * straight to the slot of their tick and never move until they fire. Timers further away wait on
 * two coarser levels of 256 slots (Varghese and Lauck's scheme 7, hierarchical), of 2^16 ticks
 * (4.7 hours in all) and 2^24 ticks (49.7 days), and beyond that in an overflow list re-placed every
 * 2^32 ticks, so any deadline works. When a coarse slot's span begins, its timers cascade to finer
 * levels, down to their exact slot on level 0: at most three moves for the rare timer hours away,
 * none for the common ones.
 *
 * <p>A slot's timers are a block of consecutive entries in one of a few large arrays (pages), not a
 * linked list: firing a slot reads its timers one after the other instead of chasing links from
 * node to node, and scheduling writes the timer at the end of its slot's block without touching any
 * other timer. Blocks come in sizes 8, 16, 32... and are kept for reuse when a slot empties, so
 * nothing is allocated in steady state. An occupancy bitmap per level (for level 0 two-level: a bit
 * per slot and a bit per 64 slots) finds the next slot with work in a few instructions, so
 * {@link #advanceTo(long)} jumps over empty time instead of walking it.
 *
 * <h2>Precision: never early, at most one tick late, at every level</h2>
 * A timer with deadline {@code d} belongs to tick {@code ceil((d - origin) / tick)}. It fires in the
 * first {@code advanceTo(now)} whose {@code now} reaches that tick: never before {@code d}, and less
 * than one tick after it, however far ahead it was scheduled and however many ticks one call catches
 * up over. (Linux's timer wheel rounds far timers to their level's granularity instead of
 * cascading and is late by up to 1/8 of the delay; TCP's RTO and the simulator's reproducible
 * timings want the exact tick.) A deadline already past, or one scheduled by a task for the tick
 * being fired, goes to the next unprocessed tick.
 *
 * <h2>Order</h2>
 * Timers fire tick by tick; timers due at the same tick fire in the order they were (last)
 * scheduled, whatever their deadlines within the tick. The order depends only on the calls made,
 * so a simulation is reproducible. (A slot's block is in that order unless a cancel moved its last
 * timer into the hole or a cascade appended earlier-scheduled timers; firing checks the order and
 * sorts the block only then.)
 *
 * <h2>Cost</h2>
 * {@link #schedule}, {@link #cancel} and rescheduling are O(1) and allocate nothing in steady state:
 * a timer knows its list and its index there, and a cancel moves the list's last timer into its
 * place, so a cancelled timer leaves nothing behind. {@link #nextDeadline()} is O(1) (a few words of
 * bitmap per level). Firing costs O(1) per timer, plus a sort of the tick's timers when they are out
 * of order (O(n log n), in place). Memory: about 550 KB for the wheel itself (a block start, a size
 * and a count per slot, nearly all of them level 0's), plus the blocks, which the wheel keeps for
 * reuse: 4 bytes per entry, at least 8 entries per slot holding timers, as many as the busiest
 * moment so far needed.
 *
 * <h2>Threads</h2>
 * Single-threaded by design: the stack's one event-loop thread (or the simulator) owns the wheel
 * and every timer on it. Nothing is synchronized. Tasks may schedule and cancel any timer, but
 * must not call {@link #advanceTo(long)}.
 */
public final class TimerWheel {

    /** Default tick: one millisecond. */
    public static final long DEFAULT_TICK_NANOS = 1_000_000L;

    /** {@link Timer#list} of a timer that is not scheduled. */
    static final int IDLE = -1;

    // Level 0: one slot per tick for the next 65,536 ticks (a timer's slot is its tick modulo 65,536).
    private static final int LEVEL0_SLOTS = 1 << 16;
    private static final int LEVEL0_MASK = LEVEL0_SLOTS - 1;
    private static final int LEVEL0_WORDS = LEVEL0_SLOTS / 64;
    private static final int SUMMARY_WORDS = LEVEL0_WORDS / 64;
    // Levels 1 and 2: 256 slots of 2^16 and 2^24 ticks. Overflow beyond, re-placed every 2^32 ticks.
    private static final int UPPER_SLOTS = 256;
    private static final int UPPER_MASK = UPPER_SLOTS - 1;
    private static final int UPPER_WORDS = UPPER_SLOTS / 64;
    private static final int LEVEL1_SHIFT = 16;
    private static final int LEVEL2_SHIFT = 24;
    private static final int OVERFLOW_SHIFT = 32;

    // List numbers: level 0's slots, then level 1's, level 2's, and the overflow list.
    private static final int LEVEL1_FIRST = LEVEL0_SLOTS;
    private static final int LEVEL2_FIRST = LEVEL1_FIRST + UPPER_SLOTS;
    private static final int OVERFLOW = LEVEL2_FIRST + UPPER_SLOTS;
    private static final int LISTS = OVERFLOW + 1;

    /** Ticks are kept below this so that tick arithmetic never overflows. */
    private static final long MAX_TICK = Long.MAX_VALUE >> 2;
    /** A list's block has {@code 1 << (MIN_BLOCK_BITS + sizeClass)} entries: 8, 16, 32... */
    private static final int MIN_BLOCK_BITS = 3;
    private static final int SIZE_CLASSES = 31 - MIN_BLOCK_BITS;
    /** Blocks are carved from pages of 65,536 entries (256 KB, below any G1 region's humongous threshold). */
    private static final int PAGE_BITS = 16;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int PAGE_MASK = PAGE_SIZE - 1;
    /** Blocks of this class or larger have a page of their own. */
    private static final int PAGE_CLASS = PAGE_BITS - MIN_BLOCK_BITS;
    /** New blocks start at most this large (128 entries), whatever the last slot fired held. */
    private static final int MAX_START_CLASS = 4;
    /** The first page starts this small and doubles, so that a wheel with few timers stays small. */
    private static final int FIRST_PAGE_SIZE = 512;

    private final long tickNanos;
    /** floor((2^64 - 1) / tickNanos), unsigned: dividing by the tick becomes a multiplication. */
    private final long tickReciprocal;
    private final long origin;
    /**
     * Every list's timers, each list in a block of consecutive entries of a page: entry {@code i}
     * of list {@code l} is {@code pages[s >>> PAGE_BITS][(s & PAGE_MASK) + i]} with {@code s =
     * blockStarts[l]}, for {@code i < counts[l]}. A few large arrays rather than one per list, so
     * that appending a timer reads small per-list numbers and a page's length (which stay in cache),
     * not the header of an array of its own somewhere in memory. Blocks are reused, never freed.
     */
    private Timer[][] pages = new Timer[4][];
    private int pageCount;
    /** The page new blocks are carved from (-1 before the first), and how many of its entries are handed out. */
    private int carvePage = -1;
    private int carved;
    private final int[] blockStarts = new int[LISTS];
    private final byte[] blockClasses = new byte[LISTS];
    private final int[] counts = new int[LISTS];
    /** Free blocks (their starts), a stack per size class, with room for every block of the class. */
    private final int[][] freeBlocks = new int[SIZE_CLASSES][];
    private final int[] freeCounts = new int[SIZE_CLASSES];
    private final int[] blocksMade = new int[SIZE_CLASSES];
    /** Bit {@code s} set iff level-0 slot {@code s} holds timers. */
    private final long[] level0Bits = new long[LEVEL0_WORDS];
    /** Bit {@code w} set iff word {@code w} of {@link #level0Bits} is not zero. */
    private final long[] level0Summary = new long[SUMMARY_WORDS];
    /** Occupancy of levels 1 (words 0 to 3) and 2 (words 4 to 7), a bit per slot. */
    private final long[] upperBits = new long[2 * UPPER_WORDS];
    /** The level-0 slot being fired, whose block was taken out of it; IDLE outside of firing. */
    private int firingSlot = IDLE;
    private int firingStart;
    private int firingCount;
    /**
     * The size class a list's first block gets: the one that would have held the slot fired last,
     * or at least that of a block a list has outgrown since. Under a steady load, lists then rarely
     * outgrow their first block (each growth is a copy).
     */
    private int startClass;
    /** Timers on levels 1 and 2 and the overflow list: when none, only level 0 needs looking at. */
    private int coarseTimers;
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
        this.tickReciprocal = Long.divideUnsigned(-1L, tickNanos);
        this.origin = originNanos;
        this.lastNow = originNanos;
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
     * {@code advanceTo}. O(1), no allocation in steady state.
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
        if (timer.list != IDLE) {
            unlink(timer);
        } else {
            size++;
        }
        timer.deadline = deadlineNanos;
        timer.sequence = sequence++;
        place(timer, Math.max(tickOf(deadlineNanos), tick));
    }

    /**
     * Cancels {@code timer}: it is removed at once and will not fire. O(1).
     *
     * @return true if it was scheduled on this wheel
     */
    public boolean cancel(Timer timer) {
        if (timer.wheel != this || timer.list == IDLE) {
            return false;
        }
        unlink(timer);
        timer.list = IDLE;
        size--;
        return true;
    }

    /**
     * Fires, in order, every timer whose tick is at or before {@code nowNanos}, cascading and
     * skipping empty stretches on the way, however much time has passed since the last call.
     *
     * @return how many timers fired
     * @throws IllegalArgumentException if {@code nowNanos} is earlier than a previous call's
     * @throws IllegalStateException if called by a timer task of this wheel
     */
    public int advanceTo(long nowNanos) {
        if (firingSlot != IDLE) {
            throw new IllegalStateException("advanceTo called by a timer task");
        }
        if (nowNanos < lastNow) {
            throw new IllegalArgumentException("time went backwards: " + nowNanos + " < " + lastNow);
        }
        lastNow = nowNanos;
        long nowTick = Math.min(Math.floorDiv(saturatingSubtract(nowNanos, origin), tickNanos), MAX_TICK);
        int fired = 0;
        while (true) {
            long next = nextWorkTick();
            if (next > nowTick) {
                // Nothing needs doing up to nowTick: jump there (no coarse slot's span begins in between).
                tick = Math.max(tick, nowTick + 1);
                return fired;
            }
            tick = next;
            cascadeAt(next);
            // From here on, timers scheduled by the tasks being fired go to the next tick or later.
            tick = next + 1;
            fired += fireSlot((int) next & LEVEL0_MASK, nowNanos);
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
        // delta / tickNanos by multiplying with the reciprocal (the unsigned high half of the product):
        // the estimate is the quotient or one less, since delta < 2^63; the remainder tells which.
        long t = Math.multiplyHigh(delta, tickReciprocal) + ((tickReciprocal >> 63) & delta);
        long remainder = delta - t * tickNanos;
        if (remainder >= tickNanos) {
            t++;
            remainder -= tickNanos;
        }
        if (remainder != 0) {
            t++; // round up: never early
        }
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

    /**
     * Puts a timer on the list of tick {@code t} (not before the current tick): level 0 if due
     * within 65,536 ticks, else the finest coarse level whose 256 slots reach its tick without
     * wrapping onto the current slot, else the overflow list. A timer on a coarse level was placed
     * 65,536 ticks or more ahead, so its tick is its deadline's: a cascade recomputes it from there.
     */
    private void place(Timer timer, long t) {
        int list;
        if (t - tick < LEVEL0_SLOTS) {
            list = (int) t & LEVEL0_MASK;
        } else if ((t >>> LEVEL1_SHIFT) - (tick >>> LEVEL1_SHIFT) < UPPER_SLOTS) {
            list = LEVEL1_FIRST + ((int) (t >>> LEVEL1_SHIFT) & UPPER_MASK);
        } else if ((t >>> LEVEL2_SHIFT) - (tick >>> LEVEL2_SHIFT) < UPPER_SLOTS) {
            list = LEVEL2_FIRST + ((int) (t >>> LEVEL2_SHIFT) & UPPER_MASK);
        } else {
            list = OVERFLOW;
        }
        append(timer, list);
    }

    /** The next tick at which a slot must fire or cascade, or the overflow be re-placed; MAX_VALUE if none. */
    private long nextWorkTick() {
        long best = Long.MAX_VALUE;
        int current = (int) tick & LEVEL0_MASK;
        int slot = nextLevel0Slot(current);
        if (slot >= 0) {
            best = tick + ((slot - current) & LEVEL0_MASK);
        }
        if (coarseTimers == 0) {
            return best;
        }
        best = Math.min(best, nextCascadeTick(0, LEVEL1_SHIFT));
        best = Math.min(best, nextCascadeTick(UPPER_WORDS, LEVEL2_SHIFT));
        if (counts[OVERFLOW] != 0) {
            long span = 1L << OVERFLOW_SHIFT;
            best = Math.min(best, ((tick + span - 1) >>> OVERFLOW_SHIFT) << OVERFLOW_SHIFT);
        }
        return best;
    }

    /**
     * The tick at which the next occupied slot of a coarse level begins (and cascades). The level's
     * slot for the current span is occupied only when the current tick begins that span and its
     * cascade is still to do, so searching from it (wrapping) finds the slots in time order.
     */
    private long nextCascadeTick(int firstWord, int shift) {
        long span = tick >>> shift;
        int current = (int) span & UPPER_MASK;
        int slot = scanUpper(firstWord, current);
        if (slot < 0 && current > 0) {
            slot = scanUpper(firstWord, 0);
        }
        if (slot < 0) {
            return Long.MAX_VALUE;
        }
        return (span + ((slot - current) & UPPER_MASK)) << shift;
    }

    /** The first occupied slot at or after {@code from} of the coarse level at {@code firstWord}, or -1. */
    private int scanUpper(int firstWord, int from) {
        for (int word = from >>> 6; word < UPPER_WORDS; word++) {
            long bits = upperBits[firstWord + word];
            if (word == from >>> 6) {
                bits &= -1L << from; // shifts use the low six bits: from % 64
            }
            if (bits != 0) {
                return (word << 6) | Long.numberOfTrailingZeros(bits);
            }
        }
        return -1;
    }

    /** The first occupied level-0 slot at or after {@code from}, wrapping around, or -1 if none. */
    private int nextLevel0Slot(int from) {
        int slot = scanLevel0(from);
        if (slot < 0 && from > 0) {
            slot = scanLevel0(0);
        }
        return slot;
    }

    /** The first occupied level-0 slot at or after {@code from} (no wrapping), or -1. */
    private int scanLevel0(int from) {
        int word = from >>> 6;
        long bits = level0Bits[word] & (-1L << from);
        if (bits != 0) {
            return (word << 6) | Long.numberOfTrailingZeros(bits);
        }
        // The rest of the words, through the summary: a bit per non-zero word.
        int nextWord = word + 1;
        if (nextWord == LEVEL0_WORDS) {
            return -1;
        }
        int summaryWord = nextWord >>> 6;
        long summary = level0Summary[summaryWord] & (-1L << nextWord);
        while (summary == 0) {
            if (++summaryWord == SUMMARY_WORDS) {
                return -1;
            }
            summary = level0Summary[summaryWord];
        }
        int found = (summaryWord << 6) | Long.numberOfTrailingZeros(summary);
        return (found << 6) | Long.numberOfTrailingZeros(level0Bits[found]);
    }

    /** At tick {@code t}, moves the timers of every coarse slot whose span begins now to finer levels, coarsest first. */
    private void cascadeAt(long t) {
        if ((t & ((1L << OVERFLOW_SHIFT) - 1)) == 0) {
            replaceAll(OVERFLOW);
        }
        if ((t & ((1L << LEVEL2_SHIFT) - 1)) == 0) {
            replaceAll(LEVEL2_FIRST + ((int) (t >>> LEVEL2_SHIFT) & UPPER_MASK));
        }
        if ((t & ((1L << LEVEL1_SHIFT) - 1)) == 0) {
            replaceAll(LEVEL1_FIRST + ((int) (t >>> LEVEL1_SHIFT) & UPPER_MASK));
        }
    }

    /** Re-places every timer of {@code list} relative to the current tick. */
    private void replaceAll(int list) {
        int n = counts[list];
        if (n == 0) {
            return;
        }
        int start = blockStarts[list];
        int offset = start & PAGE_MASK;
        detach(list);
        for (int i = offset; i < offset + n; i++) {
            Timer[] page = pages[start >>> PAGE_BITS]; // re-read: placing may grow the page
            Timer timer = page[i];
            page[i] = null;
            place(timer, tickOf(timer.deadline));
        }
        releaseBlock(start, blockClasses[list]);
    }

    // ---------------------------------------------------------------- firing

    private int fireSlot(int slot, long nowNanos) {
        int n = counts[slot];
        if (n == 0) {
            return 0;
        }
        int start = blockStarts[slot];
        int sizeClass = blockClasses[slot];
        int pageIndex = start >>> PAGE_BITS;
        int offset = start & PAGE_MASK;
        // Take the block out of the slot, so tasks may schedule into the slot (65,536 ticks on) and cancel freely.
        detach(slot);
        // Timers scheduled later are appended after those scheduled before; only a cancel (which moves the
        // last timer into the hole) or a cascade (which appends timers scheduled earlier) breaks that order.
        restoreScheduleOrder(pages[pageIndex], offset, n);
        firingSlot = slot;
        firingStart = start;
        firingCount = n;
        startClass = Math.min(MAX_START_CLASS, Math.max(0, 32 - Integer.numberOfLeadingZeros(n - 1) - MIN_BLOCK_BITS));
        int fired = 0;
        int i = offset;
        int end = offset + n;
        try {
            for (; i < end; i++) {
                Timer[] page = pages[pageIndex]; // re-read: a task may grow the page
                Timer timer = page[i];
                if (timer == null) {
                    continue; // cancelled or rescheduled by a task that ran before it
                }
                page[i] = null;
                timer.list = IDLE;
                size--;
                fired++;
                timer.task.run(timer, nowNanos);
            }
        } finally {
            firingSlot = IDLE;
            // If a task threw, the timers after it have not fired: they go to the next tick, in order.
            for (int rest = i + 1; rest < end; rest++) {
                Timer[] page = pages[pageIndex];
                Timer timer = page[rest];
                if (timer != null) {
                    page[rest] = null;
                    place(timer, tick);
                }
            }
            releaseBlock(start, sizeClass);
        }
        return fired;
    }

    /** Sorts a block's timers by sequence if they are not in that order, and renumbers them. */
    private static void restoreScheduleOrder(Timer[] timers, int start, int n) {
        long previous = Long.MIN_VALUE;
        for (int i = start; i < start + n; i++) {
            long sequence = timers[i].sequence;
            if (sequence < previous) {
                sortBySequence(timers, start, n);
                for (int j = 0; j < n; j++) {
                    timers[start + j].index = j;
                }
                return;
            }
            previous = sequence;
        }
    }

    /** Sorts {@code timers[start, start + n)} by sequence, in place: insertion sort when short, heapsort otherwise. */
    private static void sortBySequence(Timer[] timers, int start, int n) {
        if (n <= 32) {
            for (int i = start + 1; i < start + n; i++) {
                Timer timer = timers[i];
                int j = i - 1;
                while (j >= start && timers[j].sequence > timer.sequence) {
                    timers[j + 1] = timers[j];
                    j--;
                }
                timers[j + 1] = timer;
            }
            return;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(timers, start, i, n);
        }
        for (int last = n - 1; last > 0; last--) {
            Timer largest = timers[start];
            timers[start] = timers[start + last];
            timers[start + last] = largest;
            siftDown(timers, start, 0, last);
        }
    }

    /** Restores the max-heap (by sequence) of the first {@code n} timers from {@code start}, below heap position {@code i}. */
    private static void siftDown(Timer[] timers, int start, int i, int n) {
        Timer timer = timers[start + i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && timers[start + child + 1].sequence > timers[start + child].sequence) {
                child++;
            }
            if (timers[start + child].sequence <= timer.sequence) {
                break;
            }
            timers[start + i] = timers[start + child];
            i = child;
        }
        timers[start + i] = timer;
    }

    // ---------------------------------------------------------------- lists

    // The methods below are split so that the common paths stay small enough for the JIT to inline.

    /** Adds {@code timer} at the end of {@code list}. */
    private void append(Timer timer, int list) {
        int n = counts[list];
        int start = blockStarts[list];
        if (n == 0 || n == 1 << (MIN_BLOCK_BITS + blockClasses[list])) {
            start = makeRoom(list, n);
        }
        pages[start >>> PAGE_BITS][(start & PAGE_MASK) + n] = timer;
        counts[list] = n + 1;
        if (list >= LEVEL1_FIRST) {
            coarseTimers++;
        }
        timer.list = list;
        timer.index = n;
    }

    /** Gives {@code list}, empty or with a full block of {@code n} timers, room for one more; returns its block's start. */
    private int makeRoom(int list, int n) {
        if (n > 0) {
            int sizeClass = blockClasses[list];
            startClass = Math.max(startClass, Math.min(MAX_START_CLASS, sizeClass));
            return growBlock(list, blockStarts[list], sizeClass);
        }
        int start = takeBlock(startClass);
        blockStarts[list] = start;
        blockClasses[list] = (byte) startClass;
        setBit(list);
        return start;
    }

    /** Removes a scheduled timer from its list: the list's last timer moves into its place. */
    private void unlink(Timer timer) {
        int list = timer.list;
        int index = timer.index;
        if (list == firingSlot && removeFromFiring(timer, index)) {
            return;
        }
        int start = blockStarts[list];
        Timer[] page = pages[start >>> PAGE_BITS];
        int offset = start & PAGE_MASK;
        int last = counts[list] - 1;
        if (index != last) {
            Timer moved = page[offset + last];
            page[offset + index] = moved;
            moved.index = index;
        }
        page[offset + last] = null;
        counts[list] = last;
        if (list >= LEVEL1_FIRST) {
            coarseTimers--;
        }
        if (last == 0) {
            clearBit(list);
            releaseBlock(start, blockClasses[list]);
        }
    }

    /**
     * Removes a timer of the slot being fired if it is in the block being fired, not fired yet (the
     * firing loop skips the hole); false if it is elsewhere: a timer scheduled into the same slot
     * (a full turn of level 0 later) while it fires is in the slot's new block.
     */
    private boolean removeFromFiring(Timer timer, int index) {
        if (index >= firingCount) {
            return false;
        }
        Timer[] page = pages[firingStart >>> PAGE_BITS];
        int at = (firingStart & PAGE_MASK) + index;
        if (page[at] != timer) {
            return false;
        }
        page[at] = null;
        return true;
    }

    /** Empties {@code list}; its block (from {@code blockStarts[list]}) still holds its timers, for the caller. */
    private void detach(int list) {
        if (list >= LEVEL1_FIRST) {
            coarseTimers -= counts[list];
        }
        counts[list] = 0;
        clearBit(list);
    }

    private void setBit(int list) {
        if (list < LEVEL1_FIRST) {
            int word = list >>> 6;
            if (level0Bits[word] == 0) {
                level0Summary[word >>> 6] |= 1L << word;
            }
            level0Bits[word] |= 1L << list;
        } else if (list < OVERFLOW) {
            upperBits[(list - LEVEL1_FIRST) >>> 6] |= 1L << list; // LEVEL1_FIRST is a multiple of 64
        }
    }

    private void clearBit(int list) {
        if (list < LEVEL1_FIRST) {
            int word = list >>> 6;
            long bits = level0Bits[word] & ~(1L << list);
            level0Bits[word] = bits;
            if (bits == 0) {
                level0Summary[word >>> 6] &= ~(1L << word);
            }
        } else if (list < OVERFLOW) {
            upperBits[(list - LEVEL1_FIRST) >>> 6] &= ~(1L << list);
        }
    }

    // ---------------------------------------------------------------- blocks

    /** The start of a free block of {@code 8 << sizeClass} entries, all null. */
    private int takeBlock(int sizeClass) {
        int free = freeCounts[sizeClass];
        if (free == 0) {
            return makeBlock(sizeClass);
        }
        freeCounts[sizeClass] = --free;
        return freeBlocks[sizeClass][free];
    }

    /** A new block: the only allocations of the wheel, until it has seen its busiest moment. */
    private int makeBlock(int sizeClass) {
        int length = 1 << (MIN_BLOCK_BITS + sizeClass);
        if (sizeClass >= PAGE_CLASS) {
            return newBlock(sizeClass, addPage(new Timer[length]) << PAGE_BITS);
        }
        if (carvePage < 0 || carved + length > PAGE_SIZE) {
            if (carvePage >= 0) {
                freeRestOfPage();
            }
            carvePage = addPage(new Timer[pageCount == 0 ? FIRST_PAGE_SIZE : PAGE_SIZE]);
            carved = 0;
        }
        Timer[] page = pages[carvePage];
        if (carved + length > page.length) {
            pages[carvePage] = java.util.Arrays.copyOf(page, Math.min(PAGE_SIZE, Math.max(2 * page.length, carved + length)));
        }
        int start = carvePage << PAGE_BITS | carved;
        carved += length;
        return newBlock(sizeClass, start);
    }

    /** Counts a block just made and makes room for it on its class's free stack; returns its start. */
    private int newBlock(int sizeClass, int start) {
        int made = ++blocksMade[sizeClass];
        int[] stack = freeBlocks[sizeClass];
        if (stack == null || stack.length < made) {
            freeBlocks[sizeClass] = java.util.Arrays.copyOf(stack == null ? new int[0] : stack, Math.max(16, 2 * made));
        }
        return start;
    }

    /** Cuts what is left of the carve page (a multiple of 8 entries) into free blocks, largest first. */
    private void freeRestOfPage() {
        Timer[] page = pages[carvePage];
        if (page.length < PAGE_SIZE) {
            pages[carvePage] = java.util.Arrays.copyOf(page, PAGE_SIZE);
        }
        for (int sizeClass = PAGE_CLASS - 1; sizeClass >= 0; sizeClass--) {
            int length = 1 << (MIN_BLOCK_BITS + sizeClass);
            while (PAGE_SIZE - carved >= length) {
                releaseBlock(newBlock(sizeClass, carvePage << PAGE_BITS | carved), sizeClass);
                carved += length;
            }
        }
    }

    private int addPage(Timer[] page) {
        if (pageCount == pages.length) {
            pages = java.util.Arrays.copyOf(pages, 2 * pages.length);
        }
        pages[pageCount] = page;
        return pageCount++;
    }

    /** Returns a block, all of whose entries are null, to the free ones. */
    private void releaseBlock(int start, int sizeClass) {
        freeBlocks[sizeClass][freeCounts[sizeClass]++] = start; // the stack has room for every block of the class
    }

    /** Moves a full list into a block twice as large; returns its start. */
    private int growBlock(int list, int start, int sizeClass) {
        int length = 1 << (MIN_BLOCK_BITS + sizeClass);
        int bigger = takeBlock(sizeClass + 1); // may grow a page: read the pages after it
        Timer[] from = pages[start >>> PAGE_BITS];
        int offset = start & PAGE_MASK;
        System.arraycopy(from, offset, pages[bigger >>> PAGE_BITS], bigger & PAGE_MASK, length);
        java.util.Arrays.fill(from, offset, offset + length, null);
        releaseBlock(start, sizeClass);
        blockStarts[list] = bigger;
        blockClasses[list] = (byte) (sizeClass + 1);
        return bigger;
    }

    @Override
    public String toString() {
        return "TimerWheel[size=" + size + ", tick=" + tickNanos + " ns, now tick " + tick + "]";
    }
}
