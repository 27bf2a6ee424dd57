package io.github.tcp4j.bench;

import io.github.tcp4j.core.timer.Timer;
import io.github.tcp4j.core.timer.TimerWheel;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One million timers with deadlines uniform over 60 s, side by side in one JMH run:
 * (a) schedule all, then cancel all; (b) schedule all, then expire all by advancing time.
 *
 * <p>tcp4j's wheel and Agrona's {@code DeadlineTimerWheel} are driven by a manual clock: (b) moves
 * time forward one millisecond at a time over the 60 s, as an event loop would, and the score is
 * the cost of scheduling and expiring every timer. Netty's {@code HashedWheelTimer} and the JDK's
 * {@code ScheduledThreadPoolExecutor} read the wall clock and cannot be driven: they take part in
 * (a) only (their expiry over 60 s would take 60 s of real time, which measures the clock, not the
 * timer). One operation = one timer scheduled and then cancelled (a) or expired (b).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TimerBenchmarks {

    /** Timers per invocation. */
    public static final int N = 1_000_000;
    private static final long SPAN_NANOS = 60_000_000_000L;
    private static final long MS = 1_000_000L;

    /** Which timer implementation. */
    @Param({"tcp4j", "agrona-65536", "agrona-512", "netty-hashedwheel", "jdk-stpe"})
    public String impl;

    private final long[] offsets = new long[N];
    private Timers timers;
    private long base;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            offsets[i] = 1 + random.nextLong(SPAN_NANOS);
        }
        timers = switch (impl) {
            case "tcp4j" -> new Tcp4jTimers();
            case "agrona-65536" -> new AgronaTimers(65_536);
            case "agrona-512" -> new AgronaTimers(512);
            case "netty-hashedwheel" -> new NettyTimers();
            case "jdk-stpe" -> new StpeTimers();
            default -> throw new IllegalArgumentException(impl);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timers.close();
    }

    /** (a) Schedule one million timers, then cancel them all. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int scheduleThenCancelAll() {
        timers.scheduleAll(base, offsets);
        return timers.cancelAll();
    }

    /** (b) Schedule one million timers, then advance time over 60 s in 1 ms steps until all have fired. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int scheduleThenExpireAll() {
        if (!timers.canAdvanceTime()) {
            throw new UnsupportedOperationException(impl + " reads the wall clock and cannot be driven");
        }
        timers.scheduleAll(base, offsets);
        long end = base + SPAN_NANOS + MS;
        int fired = 0;
        for (long now = base + MS; now <= end; now += MS) {
            fired += timers.advanceTo(now);
        }
        base = end;
        if (fired != N) {
            throw new IllegalStateException(impl + " fired " + fired + " of " + N);
        }
        return fired;
    }

    /** The operations each implementation offers the benchmarks. */
    interface Timers extends AutoCloseable {
        void scheduleAll(long base, long[] offsets);

        int cancelAll();

        default boolean canAdvanceTime() {
            return true;
        }

        default int advanceTo(long now) {
            throw new UnsupportedOperationException();
        }

        @Override
        default void close() {
        }
    }

    static final class Tcp4jTimers implements Timers {
        private final TimerWheel wheel = new TimerWheel(MS, 0);
        private final Timer[] nodes = new Timer[N];
        private int fired;

        Tcp4jTimers() {
            for (int i = 0; i < N; i++) {
                nodes[i] = new Timer("bench", (t, now) -> fired++);
            }
        }

        @Override
        public void scheduleAll(long base, long[] offsets) {
            for (int i = 0; i < N; i++) {
                wheel.schedule(nodes[i], base + offsets[i]);
            }
        }

        @Override
        public int cancelAll() {
            int n = 0;
            for (int i = 0; i < N; i++) {
                n += wheel.cancel(nodes[i]) ? 1 : 0;
            }
            return n;
        }

        @Override
        public int advanceTo(long now) {
            return wheel.advanceTo(now);
        }
    }

    static final class AgronaTimers implements Timers {
        private final DeadlineTimerWheel wheel;
        private final long[] ids = new long[N];
        private final DeadlineTimerWheel.TimerHandler handler = (unit, now, id) -> true;

        AgronaTimers(int spokes) {
            // Agrona wants a power-of-two tick: 2^20 ns (1.05 ms), the nearest to tcp4j's 1 ms.
            wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, 0, 1L << 20, spokes);
        }

        @Override
        public void scheduleAll(long base, long[] offsets) {
            for (int i = 0; i < N; i++) {
                ids[i] = wheel.scheduleTimer(base + offsets[i]);
            }
        }

        @Override
        public int cancelAll() {
            int n = 0;
            for (int i = 0; i < N; i++) {
                n += wheel.cancelTimer(ids[i]) ? 1 : 0;
            }
            return n;
        }

        @Override
        public int advanceTo(long now) {
            // poll() handles at most one tick per call: call until it has caught up with now.
            int fired = 0;
            while (wheel.currentTickTime() <= now) {
                fired += wheel.poll(now, handler, Integer.MAX_VALUE);
                if (wheel.currentTickTime() > now) {
                    break;
                }
            }
            return fired;
        }
    }

    static final class NettyTimers implements Timers {
        private final HashedWheelTimer timer = new HashedWheelTimer(r -> {
            Thread t = new Thread(r, "netty-wheel");
            t.setDaemon(true);
            return t;
        }, 1, TimeUnit.MILLISECONDS, 512);
        private final Timeout[] timeouts = new Timeout[N];
        private final io.netty.util.TimerTask task = t -> { };

        @Override
        public void scheduleAll(long base, long[] offsets) {
            for (int i = 0; i < N; i++) {
                timeouts[i] = timer.newTimeout(task, offsets[i], TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public int cancelAll() {
            int n = 0;
            for (int i = 0; i < N; i++) {
                n += timeouts[i].cancel() ? 1 : 0;
                timeouts[i] = null;
            }
            return n;
        }

        @Override
        public boolean canAdvanceTime() {
            return false;
        }

        @Override
        public void close() {
            timer.stop();
        }
    }

    static final class StpeTimers implements Timers {
        private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        private final ScheduledFuture<?>[] futures = new ScheduledFuture<?>[N];
        private final Runnable task = () -> { };

        StpeTimers() {
            executor.setRemoveOnCancelPolicy(true);
        }

        @Override
        public void scheduleAll(long base, long[] offsets) {
            for (int i = 0; i < N; i++) {
                futures[i] = executor.schedule(task, offsets[i], TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public int cancelAll() {
            int n = 0;
            for (int i = 0; i < N; i++) {
                n += futures[i].cancel(false) ? 1 : 0;
                futures[i] = null;
            }
            return n;
        }

        @Override
        public boolean canAdvanceTime() {
            return false;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
