package io.github.tcp4j.core.timer;

/**
 * The only way time enters tcp4j's core: a monotonic nanosecond counter.
 *
 * <p>The value has no relation to the wall clock or to the epoch; only differences between two
 * readings of the same clock mean anything. It never decreases. Protocol code, timers and the
 * simulator read time only through this interface, so a test can run four minutes of 2MSL in
 * microseconds by using a {@link ManualClock}.
 */
public interface Clock {

    /** Nanoseconds since an arbitrary, fixed origin; never decreases. */
    long nanos();

    /** Milliseconds since the same origin, rounded down. */
    default long millis() {
        return Math.floorDiv(nanos(), 1_000_000L);
    }
}
