package io.github.tcp4j.core.timer;

import java.time.Duration;

/**
 * Virtual time that moves only when told to: the clock of the simulator and of every protocol
 * test. It starts at the given origin (0 by default) and refuses to go backwards, so it keeps
 * the {@link Clock} contract.
 *
 * <p>Not thread-safe: like the rest of the core, it belongs to one thread.
 */
public final class ManualClock implements Clock {

    private long now;

    /** A clock reading 0 ns. */
    public ManualClock() {
        this(0);
    }

    /** A clock reading {@code startNanos}. */
    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanos() {
        return now;
    }

    /**
     * Sets the time to {@code nanos}.
     *
     * @throws IllegalArgumentException if {@code nanos} is earlier than the current reading
     */
    public void set(long nanos) {
        if (nanos < now) {
            throw new IllegalArgumentException("time cannot go backwards: " + nanos + " < " + now);
        }
        now = nanos;
    }

    /**
     * Moves the time forward by {@code deltaNanos}.
     *
     * @throws IllegalArgumentException if {@code deltaNanos} is negative
     * @throws ArithmeticException if the clock would overflow
     */
    public void advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("negative advance: " + deltaNanos);
        }
        set(Math.addExact(now, deltaNanos));
    }

    /** Moves the time forward by {@code delta}; see {@link #advance(long)}. */
    public void advance(Duration delta) {
        advance(delta.toNanos());
    }

    @Override
    public String toString() {
        return "ManualClock[" + now + " ns]";
    }
}
