package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TimerWheelTest {

    private static final long MS = 1_000_000L;

    private final List<String> fired = new ArrayList<>();
    private final List<Long> firedAt = new ArrayList<>();

    private Timer timer(String name) {
        return new Timer(name, (t, now) -> {
            fired.add(t.name());
            firedAt.add(now);
        });
    }

    @Test
    void firesAtItsTickNeverBeforeAndCatchesUpInOneCall() {
        TimerWheel wheel = new TimerWheel(0);
        Timer rto = timer("rto");
        Timer keepAlive = timer("keepalive");
        Timer timeWait = timer("time-wait");
        wheel.schedule(rto, 200 * MS + 1);                            // rounds up to tick 201
        wheel.schedule(keepAlive, Duration.ofHours(2).toNanos());     // level 4
        wheel.schedule(timeWait, Duration.ofDays(3).toNanos());       // 3 days: the required range
        assertEquals(3, wheel.size());

        assertEquals(0, wheel.advanceTo(201 * MS - 1));
        assertEquals(1, wheel.advanceTo(201 * MS));
        assertEquals(List.of("rto"), fired);

        // One call catches up over three days of ticks.
        assertEquals(2, wheel.advanceTo(Duration.ofDays(4).toNanos()));
        assertEquals(List.of("rto", "keepalive", "time-wait"), fired);
        assertEquals(0, wheel.size());
        assertEquals(Long.MAX_VALUE, wheel.nextDeadline());
    }

    @Test
    void cascadedTimersFireAtTheirExactTick() {
        TimerWheel wheel = new TimerWheel(0);
        long[] deadlines = {63 * MS, 64 * MS, 65 * MS, 4095 * MS, 4096 * MS, 4097 * MS, 262_143 * MS, 262_144 * MS,
            Duration.ofDays(60).toNanos() + 5 * MS}; // the last is beyond the levels (49.7 days): overflow
        for (int i = 0; i < deadlines.length; i++) {
            wheel.schedule(timer("t" + i), deadlines[i]);
        }
        // Step exactly to each deadline, jumping via nextDeadline as a driver would.
        int done = 0;
        while (wheel.size() > 0) {
            long next = wheel.nextDeadline();
            assertTrue(next <= deadlines[done], "the wheel wakes no later than the next deadline");
            wheel.advanceTo(next);
            if (fired.size() > done) {
                assertEquals(deadlines[done], firedAt.get(done), "fired exactly at its deadline");
                done++;
            }
        }
        assertEquals(deadlines.length, done);
    }

    @Test
    void sameTickFiresByDeadlineThenScheduleOrder() {
        TimerWheel wheel = new TimerWheel(0);
        wheel.schedule(timer("c"), 5 * MS);
        wheel.schedule(timer("a"), 4 * MS + 1); // same tick (5), earlier deadline
        wheel.schedule(timer("b"), 5 * MS);
        Timer far = timer("cascaded");
        wheel.schedule(far, 5 * MS - 10);       // also tick 5
        wheel.advanceTo(10 * MS);
        assertEquals(List.of("a", "cascaded", "c", "b"), fired);
    }

    @Test
    void cancelAndRescheduleAreImmediate() {
        TimerWheel wheel = new TimerWheel(0);
        Timer t = timer("t");
        wheel.schedule(t, 10 * MS);
        assertTrue(t.isScheduled());
        assertTrue(wheel.cancel(t));
        assertFalse(t.isScheduled());
        assertFalse(wheel.cancel(t), "a second cancel finds nothing");
        assertEquals(Long.MAX_VALUE, wheel.nextDeadline(), "nothing left behind to skip later");
        wheel.schedule(t, 10 * MS);
        wheel.schedule(t, 30 * MS); // reschedule moves it
        assertEquals(1, wheel.size());
        wheel.advanceTo(20 * MS);
        assertTrue(fired.isEmpty());
        wheel.advanceTo(30 * MS);
        assertEquals(List.of("t"), fired);
    }

    @Test
    void aTaskMayRescheduleItselfAndCancelOthers() {
        TimerWheel wheel = new TimerWheel(0);
        Timer victim = timer("victim");
        int[] runs = {0};
        Timer periodic = new Timer("periodic", (t, now) -> {
            runs[0]++;
            wheel.cancel(victim);
            wheel.schedule(t, now); // due at once: fires on the next tick, never in a loop
        });
        wheel.schedule(periodic, 3 * MS);
        wheel.schedule(victim, 3 * MS);
        wheel.advanceTo(3 * MS);
        assertEquals(1, runs[0]);
        assertTrue(fired.isEmpty(), "the victim, due at the same tick, was cancelled before it ran");
        // Rescheduled "now" (3 ms) while tick 3 fired: it goes to tick 4, fires there with now = 10 ms,
        // and its reschedule for 10 ms (tick 10, still within this call) fires once more.
        wheel.advanceTo(10 * MS);
        assertEquals(3, runs[0]);
        assertTrue(periodic.isScheduled());
        assertEquals(11 * MS, wheel.nextDeadline());
    }

    @Test
    void misuseIsRefused() {
        TimerWheel wheel = new TimerWheel(0);
        TimerWheel other = new TimerWheel(0);
        Timer t = timer("t");
        wheel.schedule(t, MS);
        assertThrows(IllegalStateException.class, () -> other.schedule(t, MS));
        wheel.advanceTo(5 * MS);
        assertThrows(IllegalArgumentException.class, () -> wheel.advanceTo(4 * MS));
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel(0, 0));
        assertFalse(other.cancel(t));
    }

    @Test
    void extremeDeadlinesDoNotOverflow() {
        TimerWheel wheel = new TimerWheel(Long.MIN_VALUE / 2);
        Timer never = timer("never");
        Timer past = timer("past");
        wheel.schedule(never, Long.MAX_VALUE);
        wheel.schedule(past, Long.MIN_VALUE);
        wheel.advanceTo(Long.MIN_VALUE / 2);
        assertEquals(List.of("past"), fired);
        wheel.advanceTo(Long.MAX_VALUE / 4);
        assertEquals(List.of("past"), fired);
        assertTrue(never.isScheduled());
    }

    @Test
    void steadyStateAllocatesNothing() {
        com.sun.management.ThreadMXBean threads;
        try {
            threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        } catch (ClassCastException e) {
            Assumptions.assumeTrue(false, "this JVM does not count allocated bytes per thread");
            return;
        }
        TimerWheel wheel = new TimerWheel(0);
        Timer[] slots = new Timer[1024];
        int[] count = {0};
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Timer("slot", (t, now) -> count[0]++);
        }
        long now = 0;
        for (int round = 0; round < 3; round++) { // warm up, then measure the last round
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200_000; i++) {
                Timer t = slots[i & 1023];
                long delay = (i * 7919L) % 300_000 * MS / 10; // up to 50 minutes: every level is used
                if ((i & 3) == 0) {
                    wheel.cancel(t);
                } else {
                    wheel.schedule(t, now + delay);
                }
                if ((i & 15) == 0) {
                    now += 3 * MS;
                    wheel.advanceTo(now);
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                assertTrue(allocated < 1024, "schedule/cancel/advance allocated " + allocated + " bytes");
            }
        }
        assertTrue(count[0] > 0);
    }
}
