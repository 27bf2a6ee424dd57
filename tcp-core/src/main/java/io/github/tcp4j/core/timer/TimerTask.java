package io.github.tcp4j.core.timer;

/** What a {@link Timer} does when it fires. */
@FunctionalInterface
public interface TimerTask {

    /**
     * The timer is due. Called from {@link TimerWheel#advanceTo(long)}, on the wheel's thread;
     * the timer is no longer scheduled, so the task may schedule it again.
     *
     * @param timer the timer that fired
     * @param nowNanos the time given to {@code advanceTo}, at or after the timer's deadline
     */
    void run(Timer timer, long nowNanos);
}
