package io.github.tcp4j.core.timer;

import java.util.Objects;

/**
 * One timer: an entry of a {@link TimerWheel}, allocated once and reused for every schedule,
 * cancel and reschedule, so that timers cost no allocation in steady state. A connection owns a
 * fixed set of them (retransmission, persist, delayed ACK, keep-alive, FIN_WAIT_2, user timeout).
 *
 * <p>A timer belongs to the first wheel it is scheduled on. Like the wheel, it is not thread-safe.
 */
public final class Timer {

    final TimerTask task;
    final String name;
    TimerWheel wheel;
    long deadline;
    /** The wheel's schedule counter when it was last scheduled: the order within a tick. */
    long sequence;
    /** Its position in its list's block. */
    int index;
    /**
     * Which of the wheel's lists holds it ({@link TimerWheel#IDLE} when not scheduled). Declared
     * after {@code index} so that HotSpot (longs, then ints, then references, the first int in the
     * header's gap) puts it between {@code sequence} and {@code task}: the three fields firing
     * touches then share a cache line far more often than not.
     */
    int list = TimerWheel.IDLE;

    /** A timer running {@code task}, named for traces and netstat views (e.g. "retransmission"). */
    public Timer(String name, TimerTask task) {
        this.name = Objects.requireNonNull(name, "name");
        this.task = Objects.requireNonNull(task, "task");
    }

    /** The timer's name. */
    public String name() {
        return name;
    }

    /** True while the timer waits to fire. */
    public boolean isScheduled() {
        return list != TimerWheel.IDLE;
    }

    /** The deadline (clock nanoseconds) it was last scheduled for; meaningful while scheduled. */
    public long deadline() {
        return deadline;
    }

    @Override
    public String toString() {
        return isScheduled() ? name + "@" + deadline : name + "(idle)";
    }
}
