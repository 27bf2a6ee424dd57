package io.github.tcp4j.bench;

import io.github.tcp4j.core.timer.TimeWaitTable;
import io.github.tcp4j.core.wire.IpAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (c) TIME_WAIT steady churn at 1,000,000 live entries: each operation enters one connection
 * into TIME_WAIT, expires the oldest entry (its 2MSL has just passed) and looks up a random live
 * entry by 4-tuple, as a host does for every segment that might belong to one.
 *
 * <p>Baseline: what one would write without a dedicated table, a {@code HashMap} from a 4-tuple
 * key object to an entry object plus an {@code ArrayDeque} in deadline order.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TimeWaitBenchmarks {

    static final int LIVE = 1_000_000;
    /** Addresses are derived from a connection number: 65,535 remote ports per remote address. */
    private static final IpAddress[] REMOTES = new IpAddress[1 << 12];
    private static final IpAddress LOCAL = IpAddress.parse("10.0.0.1");

    static {
        for (int i = 0; i < REMOTES.length; i++) {
            REMOTES[i] = IpAddress.v4(0x0B000000 + i);
        }
    }

    /** Which table. */
    @Param({"tcp4j", "hashmap-deque"})
    public String impl;

    private TimeWaitTable table;
    private HashMap<Key, Entry> map;
    private ArrayDeque<Entry> fifo;
    private long next;
    private long lookupSeed = 0x9E3779B97F4A7C15L;

    record Key(IpAddress local, int localPort, IpAddress remote, int remotePort) {
    }

    record Entry(Key key, int sndNxt, int rcvNxt, int rcvWnd, int tsRecent, int tsRecentAge, long deadline) {
    }

    private static IpAddress remote(long n) {
        return REMOTES[(int) ((n / 65_535) & (REMOTES.length - 1))];
    }

    private static int remotePort(long n) {
        return 1 + (int) (n % 65_535);
    }

    @Setup(Level.Trial)
    public void setUp() {
        // 2MSL = LIVE ns and the clock moves 1 ns per operation: each insert expires exactly one.
        if (impl.equals("tcp4j")) {
            table = new TimeWaitTable(false, LIVE + 1, LIVE, TimeWaitTable.Overflow.REFUSE);
        } else {
            map = new HashMap<>(2 * LIVE);
            fifo = new ArrayDeque<>(LIVE + 1);
        }
        for (next = 0; next < LIVE; next++) {
            insert(next);
        }
    }

    private void insert(long n) {
        if (table != null) {
            table.insert(LOCAL, 80, remote(n), remotePort(n), (int) n, (int) n, 65535, (int) n, 0, n);
        } else {
            Entry e = new Entry(new Key(LOCAL, 80, remote(n), remotePort(n)), (int) n, (int) n, 65535, (int) n, 0, n + LIVE);
            map.put(e.key(), e);
            fifo.addLast(e);
        }
    }

    /** One churn step: insert, expire one, look one up. */
    @Benchmark
    public int churn() {
        long n = next++;
        insert(n);
        lookupSeed = lookupSeed * 6364136223846793005L + 1442695040888963407L;
        long live = n - (lookupSeed >>> 44) % (LIVE - 1);
        if (table != null) {
            table.expire(n);
            return table.find(LOCAL, 80, remote(live), remotePort(live));
        }
        while (fifo.peekFirst().deadline() <= n) {
            map.remove(fifo.pollFirst().key());
        }
        Entry e = map.get(new Key(LOCAL, 80, remote(live), remotePort(live)));
        return e == null ? -1 : e.rcvNxt();
    }
}
