package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The wheel against a reference model that keeps every timer in a list and sorts: random
 * schedule / reschedule / cancel / advance sequences (some tasks reschedule themselves when they
 * fire) must fire the same timers, in the same calls, in the same order, never early and less
 * than one tick late.
 */
class TimerWheelProperties {

    private static final int TIMERS = 24;
    private static final long TICK = 1_000_000L;

    /** One operation: kind 0 = schedule, 1 = cancel, 2 = advance. */
    record Op(int kind, int timer, long amount) {
    }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Long> delay = Arbitraries.oneOf(
                Arbitraries.longs().between(-5 * TICK, 70 * TICK),              // level 0 and the past
                Arbitraries.longs().between(0, 300_000 * TICK),                  // levels 1-2
                Arbitraries.longs().between(0, 120L * 24 * 3600 * 1000 * TICK),  // up to 120 days: overflow
                Arbitraries.of(0L, TICK, 63 * TICK, 64 * TICK, 65 * TICK, 255 * TICK, 256 * TICK, 257 * TICK, 4096 * TICK,
                        65_535 * TICK, 65_536 * TICK, 65_537 * TICK, 16_777_215 * TICK, 16_777_216 * TICK,
                        16_777_217 * TICK, 4_294_967_295L * TICK, 4_294_967_296L * TICK, 4_294_967_297L * TICK));
        Arbitrary<Long> step = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3 * TICK),
                Arbitraries.longs().between(0, 5000 * TICK),
                Arbitraries.longs().between(0, 150L * 24 * 3600 * 1000 * TICK),
                Arbitraries.of(TICK / 2, TICK, 64 * TICK - 1, 256 * TICK - 1, 256 * TICK, 65_535 * TICK, 65_536 * TICK,
                        16_777_216 * TICK, 4_294_967_296L * TICK));
        Arbitrary<Integer> timer = Arbitraries.integers().between(0, TIMERS - 1);
        Arbitrary<Op> schedule = Combinators.combine(timer, delay).as((t, d) -> new Op(0, t, d));
        Arbitrary<Op> cancel = timer.map(t -> new Op(1, t, 0));
        Arbitrary<Op> advance = step.map(s -> new Op(2, 0, s));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, schedule), net.jqwik.api.Tuple.of(2, cancel), net.jqwik.api.Tuple.of(3, advance));
    }

    @Property(tries = 1500)
    void wheelMatchesTheModel(@ForAll @Size(max = 120) List<@net.jqwik.api.From("ops") Op> ops, @ForAll long originSeed) {
        run(ops, originSeed >> 20, TICK); // any origin, far from overflow
    }

    /** The same with other ticks (the wheel divides by the tick with a multiplication): times scale with the tick. */
    @Property(tries = 500)
    void wheelMatchesTheModelWithOtherTicks(@ForAll @Size(max = 80) List<@net.jqwik.api.From("ops") Op> ops,
            @ForAll long originSeed, @ForAll("ticks") long tick) {
        run(ops, originSeed >> 24, tick);
    }

    @Provide
    Arbitrary<Long> ticks() {
        return Arbitraries.of(1L, 3L, 999_983L, 1L << 20);
    }

    /** An amount of time generated for a 1 ms tick, for a tick of {@code tick} ns. */
    private static long scaled(long amount, long tick) {
        return amount / TICK * tick + amount % TICK * tick / TICK;
    }

    private void run(List<Op> ops, long origin, long tick) {
        TimerWheel wheel = new TimerWheel(tick, origin);
        Model model = new Model(origin, tick);
        List<Integer> actual = new ArrayList<>();
        Timer[] timers = new Timer[TIMERS];
        long[] now = {origin};
        for (int i = 0; i < TIMERS; i++) {
            int id = i;
            timers[i] = new Timer("t" + i, (timer, nowNanos) -> {
                assertTrue(nowNanos >= timer.deadline(), "never early");
                actual.add(id);
                if (id < 4) { // these reschedule themselves, like a retransmission timer backing off
                    wheel.schedule(timer, nowNanos + scaled((id + 1) * 700_000L, tick));
                }
            });
        }
        for (Op op : ops) {
            switch (op.kind) {
                case 0 -> {
                    long deadline = now[0] + scaled(op.amount, tick);
                    wheel.schedule(timers[op.timer], deadline);
                    model.schedule(op.timer, deadline);
                }
                case 1 -> assertEquals(model.cancel(op.timer), wheel.cancel(timers[op.timer]));
                default -> {
                    long earliest = model.earliestFireTime();
                    assertTrue(wheel.nextDeadline() <= earliest, "nextDeadline never later than the first due timer");
                    now[0] += scaled(op.amount, tick);
                    actual.clear();
                    int fired = wheel.advanceTo(now[0]);
                    List<Integer> expected = model.advanceTo(now[0]);
                    assertEquals(expected, actual, "fired at " + now[0]);
                    assertEquals(expected.size(), fired);
                }
            }
            assertEquals(model.size(), wheel.size());
            if (model.size() == 0) {
                assertEquals(Long.MAX_VALUE, wheel.nextDeadline());
            }
        }
    }

    /** The reference: a map of scheduled timers, fired by sorting. */
    private static final class Model {
        record Entry(long deadline, long fireTick, long sequence) {
        }

        private final long origin;
        private final long tick;
        private final Map<Integer, Entry> scheduled = new HashMap<>();
        private long unprocessedTick;
        private long sequence;

        Model(long origin, long tick) {
            this.origin = origin;
            this.tick = tick;
        }

        void schedule(int id, long deadline) {
            long delta = deadline - origin;
            long fireTick = delta <= 0 ? 0 : Math.floorDiv(delta + tick - 1, tick);
            scheduled.put(id, new Entry(deadline, Math.max(fireTick, unprocessedTick), sequence++));
        }

        boolean cancel(int id) {
            return scheduled.remove(id) != null;
        }

        int size() {
            return scheduled.size();
        }

        long earliestFireTime() {
            return scheduled.values().stream().mapToLong(e -> origin + e.fireTick * tick).min().orElse(Long.MAX_VALUE);
        }

        List<Integer> advanceTo(long now) {
            long nowTick = Math.floorDiv(now - origin, tick);
            List<Integer> fired = new ArrayList<>();
            // By tick, then schedule order: deadlines within a tick do not matter.
            Comparator<Map.Entry<Integer, Entry>> order = Comparator
                    .comparingLong((Map.Entry<Integer, Entry> e) -> e.getValue().fireTick)
                    .thenComparingLong(e -> e.getValue().sequence);
            while (true) {
                Map.Entry<Integer, Entry> next = scheduled.entrySet().stream()
                        .filter(e -> e.getValue().fireTick <= nowTick).min(order).orElse(null);
                if (next == null) {
                    break;
                }
                int id = next.getKey();
                long firedTick = next.getValue().fireTick;
                scheduled.remove(id);
                // While tick t fires, new timers go to tick t + 1 or later.
                unprocessedTick = Math.max(unprocessedTick, firedTick + 1);
                fired.add(id);
                if (id < 4) {
                    schedule(id, now + scaled((id + 1) * 700_000L, tick));
                }
            }
            unprocessedTick = Math.max(unprocessedTick, nowTick + 1);
            return fired;
        }
    }
}
