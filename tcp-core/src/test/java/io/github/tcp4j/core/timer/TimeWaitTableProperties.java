package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tcp4j.core.wire.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The table against a model (an insertion-ordered map from 4-tuple to deadline): random inserts,
 * look-ups, restarts, removals and expiries over a small key space (so collisions, probe runs and
 * backward-shift deletions happen often) agree on every answer, the FIFO order and the counters.
 */
class TimeWaitTableProperties {

    private static final long TWO_MSL = 60_000_000_000L;

    record Op(int kind, int key, long step) {
    }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> key = Arbitraries.integers().between(0, 40);
        Arbitrary<Long> step = Arbitraries.longs().between(0, TWO_MSL / 3);
        return Combinators.combine(Arbitraries.integers().between(0, 5), key, step).as(Op::new);
    }

    private static IpAddress remote(int key, boolean v6) {
        return v6 ? IpAddress.v6(0xfd00L << 48, key % 7) : IpAddress.v4(0x0A000000 | (key % 7));
    }

    private static int remotePort(int key) {
        return 40000 + key / 7;
    }

    @Property(tries = 600)
    void tableMatchesTheModel(@ForAll @Size(max = 200) List<@From("ops") Op> ops, @ForAll boolean v6, @ForAll boolean refuse,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 12) int initialCapacity) {
        int capacity = 12;
        // A table that starts small grows by doubling while it fills: the model cannot tell.
        TimeWaitTable table = new TimeWaitTable(v6, capacity, initialCapacity, TWO_MSL,
                refuse ? TimeWaitTable.Overflow.REFUSE : TimeWaitTable.Overflow.EVICT_OLDEST);
        IpAddress local = v6 ? IpAddress.v6(0xfd00L << 48, 1000) : IpAddress.v4(0x0A0000FF);
        Map<Integer, Long> model = new LinkedHashMap<>(); // key -> deadline, oldest first
        long now = 0;
        long evicted = 0;
        long refused = 0;
        long expired = 0;
        for (Op op : ops) {
            int k = op.key;
            IpAddress remote = remote(k, v6);
            int e = table.find(local, 80, remote, remotePort(k));
            assertEquals(model.containsKey(k), e >= 0, "find " + k);
            switch (op.kind) {
                case 0, 1 -> {
                    int got = table.insert(local, 80, remote, remotePort(k), k, k + 1, k + 2, k + 3, 0, now);
                    model.remove(k);
                    if (model.size() == capacity) {
                        if (refuse) {
                            refused++;
                            assertEquals(-1, got);
                            break;
                        }
                        model.remove(model.keySet().iterator().next());
                        evicted++;
                    }
                    model.put(k, now + TWO_MSL);
                    assertEquals(k + 1, table.rcvNxt(got));
                    assertEquals(remote, table.remoteAddress(got));
                    assertEquals(remotePort(k), table.remotePort(got));
                }
                case 2 -> {
                    if (e >= 0) {
                        table.restart(e, now);
                        model.remove(k);
                        model.put(k, now + TWO_MSL);
                    }
                }
                case 3 -> {
                    if (e >= 0) {
                        table.remove(e);
                        model.remove(k);
                    }
                }
                default -> {
                    now += op.step;
                    long limit = now;
                    List<Integer> due = new ArrayList<>();
                    model.forEach((key, d) -> {
                        if (d <= limit) {
                            due.add(key);
                        }
                    });
                    due.forEach(model::remove);
                    expired += due.size();
                    assertEquals(due.size(), table.expire(now));
                }
            }
            assertEquals(model.size(), table.size());
            assertEquals(model.values().stream().findFirst().orElse(Long.MAX_VALUE), table.nextDeadline());
            List<Integer> fifo = new ArrayList<>();
            for (int entry : table.fifoForTest()) {
                fifo.add((table.remotePort(entry) - 40000) * 7 + (int) (v6 ? table.remoteAddress(entry).v6Low()
                        : table.remoteAddress(entry).v4Bits() & 0xFF));
            }
            assertEquals(new ArrayList<>(model.keySet()), fifo, "FIFO order is deadline order");
        }
        assertEquals(evicted, table.evicted());
        assertEquals(refused, table.refused());
        assertEquals(expired, table.expired());
    }
}
