package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.IpAddress;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeWaitTableTest {

    private static final IpAddress LOCAL = IpAddress.parse("10.0.0.1");
    private static final IpAddress PEER = IpAddress.parse("10.0.0.2");
    private static final long TWO_MSL = 240_000_000_000L; // 2 x the RFC's 2-minute MSL

    @Test
    void anEntryKeepsWhatTimeWaitNeedsAndExpiresAfterExactly2Msl() {
        TimeWaitTable table = new TimeWaitTable(false, 4, TWO_MSL, TimeWaitTable.Overflow.EVICT_OLDEST);
        int e = table.insert(LOCAL, 80, PEER, 40000, 1001, 5001, 65535, 777, 3, 1_000);
        assertEquals(e, table.find(LOCAL, 80, PEER, 40000));
        assertEquals(-1, table.find(LOCAL, 80, PEER, 40001));
        assertEquals(1001, table.sndNxt(e));
        assertEquals(5001, table.rcvNxt(e));
        assertEquals(65535, table.rcvWnd(e));
        assertEquals(777, table.tsRecent(e));
        assertEquals(3, table.tsRecentAgeMillis(e));
        assertEquals(LOCAL, table.localAddress(e));
        assertEquals(80, table.localPort(e));
        assertEquals(1_000 + TWO_MSL, table.nextDeadline());
        assertTrue(table.holdsLocalPort(80), "the port is still held: bind without reuse-address must fail");
        assertEquals(0, table.expire(1_000 + TWO_MSL - 1));
        assertEquals(1, table.expire(1_000 + TWO_MSL));
        assertEquals(-1, table.find(LOCAL, 80, PEER, 40000));
        assertFalse(table.holdsLocalPort(80));
        assertEquals(Long.MAX_VALUE, table.nextDeadline());
    }

    @Test
    void aRetransmittedFinRestartsTheTimerAndMovesTheEntryLast() {
        TimeWaitTable table = new TimeWaitTable(false, 4, TWO_MSL, TimeWaitTable.Overflow.EVICT_OLDEST);
        int first = table.insert(LOCAL, 80, PEER, 1, 0, 0, 0, 0, 0, 0);
        int second = table.insert(LOCAL, 80, PEER, 2, 0, 0, 0, 0, 0, 10);
        table.restart(first, 20);
        assertEquals(10 + TWO_MSL, table.nextDeadline(), "the other entry is now the oldest");
        assertEquals(1, table.expire(20 + TWO_MSL - 1));
        assertEquals(-1, table.find(LOCAL, 80, PEER, 2));
        assertEquals(first, table.find(LOCAL, 80, PEER, 1));
        assertEquals(1, table.restarted());
        assertThrows(IllegalArgumentException.class, () -> table.restart(second, 30), "expired entries are gone");
    }

    @Test
    void aFullTableEvictsTheOldestOrRefuses() {
        TimeWaitTable evicting = new TimeWaitTable(false, 2, TWO_MSL, TimeWaitTable.Overflow.EVICT_OLDEST);
        TimeWaitTable refusing = new TimeWaitTable(false, 2, TWO_MSL, TimeWaitTable.Overflow.REFUSE);
        for (int port = 1; port <= 3; port++) {
            evicting.insert(LOCAL, 80, PEER, port, 0, 0, 0, 0, 0, port);
            refusing.insert(LOCAL, 80, PEER, port, 0, 0, 0, 0, 0, port);
        }
        assertEquals(-1, evicting.find(LOCAL, 80, PEER, 1), "oldest evicted");
        assertTrue(evicting.find(LOCAL, 80, PEER, 3) >= 0);
        assertEquals(1, evicting.evicted());
        assertTrue(refusing.find(LOCAL, 80, PEER, 1) >= 0);
        assertEquals(-1, refusing.find(LOCAL, 80, PEER, 3), "the new connection closes without TIME_WAIT");
        assertEquals(1, refusing.refused());
    }

    @Test
    void ipv6EntriesAndFamilyChecks() {
        IpAddress l6 = IpAddress.parse("fd00::1");
        IpAddress r6 = IpAddress.parse("fd00::2");
        TimeWaitTable table = new TimeWaitTable(true, 2, TWO_MSL, TimeWaitTable.Overflow.EVICT_OLDEST);
        int e = table.insert(l6, 443, r6, 50000, 1, 2, 3, 4, 5, 0);
        assertEquals(r6, table.remoteAddress(e));
        assertEquals(e, table.find(l6, 443, r6, 50000));
        assertThrows(IllegalArgumentException.class, () -> table.find(LOCAL, 443, PEER, 50000));
        assertThrows(IllegalArgumentException.class, () -> table.insert(l6, 70000, r6, 1, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(false, 0, TWO_MSL, TimeWaitTable.Overflow.REFUSE));
    }

    /**
     * The memory target: ten million IPv4 entries in a 1 GiB heap at no more than 64 bytes each
     * (heap used after a full GC, divided by the count), measured in a child JVM started with
     * -Xmx1g so the bound is the real one, not this test JVM's.
     */
    @Test
    void tenMillionIpv4EntriesFitIn1GiBAtMost64BytesEach() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-Xmx1g", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                TimeWaitMemoryProbe.class.getName(), "10000000")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the probe finished");
        assertEquals(0, p.exitValue(), out);
        System.out.println("[TimeWaitTableTest] " + out);
        String[] words = out.split("\\s+");
        double bytesPerEntry = Double.parseDouble(words[words.length - 2]);
        assertTrue(bytesPerEntry <= 64.0, out);
        assertTrue(bytesPerEntry >= 40.0, "the measurement is plausible: " + out);
    }

    @Test
    void aTableThatStartsSmallGrowsByDoublingUpToItsCapacityKeepingItsEntries() {
        TimeWaitTable table = new TimeWaitTable(false, 5000, 1, TWO_MSL, TimeWaitTable.Overflow.REFUSE);
        IpAddress local = IpAddress.v4(0x0A000001);
        assertEquals(1, table.allocated());
        for (int i = 0; i < 5000; i++) {
            assertTrue(table.insert(local, 80, IpAddress.v4(0x0B000000 + i), 40000 + i % 1000, i, -i, 7, 0, 0, i) >= 0);
            if (i % 3 == 0) {
                table.remove(table.find(local, 80, IpAddress.v4(0x0B000000 + i), 40000 + i % 1000));
            }
        }
        assertEquals(4096, table.allocated(), "doubled from 1; removed entries are reused, so 3,333 live ones fit in 4,096");
        assertEquals(5000 - 1667, table.size());
        for (int i = 0; i < 5000; i++) {
            int e = table.find(local, 80, IpAddress.v4(0x0B000000 + i), 40000 + i % 1000);
            assertEquals(i % 3 != 0, e >= 0, "entry " + i);
            if (e >= 0) {
                assertEquals(i, table.sndNxt(e));
                assertEquals(-i, table.rcvNxt(e));
            }
        }
        assertEquals(5000 - 1667, table.expire(Long.MAX_VALUE - TWO_MSL));

        TimeWaitTable full = new TimeWaitTable(true, 3000, 2, TWO_MSL, TimeWaitTable.Overflow.REFUSE);
        IpAddress local6 = IpAddress.v6(0xfd00L << 48, 1);
        for (int i = 0; i < 3000; i++) {
            assertTrue(full.insert(local6, 80, IpAddress.v6(0xfd00L << 48, 100 + i), 40000, i, i, 0, 0, 0, i) >= 0);
        }
        assertEquals(3000, full.allocated(), "capped at the capacity, not the next power of two");
        assertEquals(-1, full.insert(local6, 80, IpAddress.v6(0xfd00L << 48, 99), 40000, 0, 0, 0, 0, 0, 0), "full: refused");
        assertEquals(2999, full.sndNxt(full.find(local6, 80, IpAddress.v6(0xfd00L << 48, 100 + 2999), 40000)));
    }
}
