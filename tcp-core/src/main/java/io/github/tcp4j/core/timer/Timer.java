package io.github.tcp4j.core.timer;

import java.util.Objects;

/**
 * One timer slot: a node of a {@link TimerWheel}, allocated once and reused for every schedule,
 * cancel and reschedule, so that timers cost no allocation in steady state. A connection owns a
 * fixed set of them (retransmission, persist, delayed ACK, keep-alive, FIN_WAIT_2, user timeout).
 *
 * <p>A timer belongs to the first wheel it is scheduled on. Like the wheel, it is not thread-safe.
 */
public final class Timer {

    final TimerTask task;
    final String name;
    TimerWheel wheel;
    Timer prev;
    Timer next;
    long deadline;
    long tick;
    long sequence;
    /** Which list the node is on: a slot index (level * 64 + slot), or one of the wheel's special lists; -1 when idle. */
    int list = -1;

    /** A timer running {@code task}, named for traces and netstat views (e.g. "retransmission"). */
    public Timer(String name, TimerTask task) {
        this.name = Objects.requireNonNull(name, "name");
        this.task = Objects.requireNonNull(task, "task");
    }

    /** Sentinel constructor for the wheel's list heads. */
    Timer() {
        this.name = "sentinel";
        this.task = null;
        this.prev = this;
        this.next = this;
    }

    /** The timer's name. */
    public String name() {
        return name;
    }

    /** True while the timer waits to fire. */
    public boolean isScheduled() {
        return list >= 0;
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
