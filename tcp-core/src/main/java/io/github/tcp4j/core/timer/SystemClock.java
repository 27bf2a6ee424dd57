package io.github.tcp4j.core.timer;

/**
 * Real, monotonic time from {@link System#nanoTime()}. The one class in tcp-core allowed to read
 * the machine's clock (a test enforces it); everything else is handed a {@link Clock}.
 */
public final class SystemClock implements Clock {

    /** The shared instance; the class holds no state, so one is enough. */
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "SystemClock";
    }
}
