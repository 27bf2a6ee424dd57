package io.github.tcp4j.core.timer;

import io.github.tcp4j.core.wire.IpAddress;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Fills a TIME_WAIT table with N IPv4 entries and prints the heap it costs per entry (used heap
 * after a full collection, with and without the table). Run by {@link TimeWaitTableTest} in a
 * child JVM with {@code -Xmx1g}; also usable by hand: {@code java -Xmx1g ... TimeWaitMemoryProbe 10000000}.
 */
public final class TimeWaitMemoryProbe {

    private TimeWaitMemoryProbe() {
    }

    /** Prints "N entries: X bytes/entry". */
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        TimeWaitTable table = new TimeWaitTable(false, n, 60_000_000_000L, TimeWaitTable.Overflow.REFUSE);
        IpAddress local = IpAddress.parse("10.0.0.1");
        for (int i = 0; i < n; i++) {
            // Distinct 4-tuples: 65,535 ports x as many remote addresses as needed.
            IpAddress remote = IpAddress.v4(0x0B000000 + i / 65_535);
            if (table.insert(local, 80, remote, 1 + i % 65_535, i, i, 65535, i, 0, i) < 0) {
                throw new IllegalStateException("refused at " + i);
            }
        }
        long after = usedAfterGc(memory);
        if (table.size() != n) {
            throw new IllegalStateException("size " + table.size());
        }
        System.out.printf("%d entries: %.2f bytes/entry%n", n, (after - before) / (double) n);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
