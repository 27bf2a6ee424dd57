package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.timer.TimeWaitTable;
import io.github.tcp4j.core.wire.IpAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

    private static final IpAddress LOCAL = IpAddress.parse("10.0.0.1");
    private static final IpAddress PEER = IpAddress.parse("10.0.0.2");

    @Test
    void everyPortOfTheRangeOnceThenExhausted() {
        PortAllocator ports = new PortAllocator(50000, 50099, 1, 2);
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int p = ports.allocate(LOCAL, PEER, 80, (l, lp, r, rp) -> taken.contains(lp));
            assertTrue(p >= 50000 && p <= 50099, "in range: " + p);
            assertTrue(taken.add(p), "never a port in use: " + p);
        }
        assertEquals(PortAllocator.EXHAUSTED, ports.allocate(LOCAL, PEER, 80, (l, lp, r, rp) -> taken.contains(lp)));
    }

    @Test
    void aTupleInTimeWaitIsNotReused() {
        TimeWaitTable timeWait = new TimeWaitTable(false, 16, 60_000_000_000L, TimeWaitTable.Overflow.EVICT_OLDEST);
        PortAllocator ports = new PortAllocator(PortAllocator.IANA_LOW, PortAllocator.IANA_HIGH, 5, 6);
        PortAllocator.TupleInUse inTimeWait = (l, lp, r, rp) -> timeWait.find(l, lp, r, rp) >= 0;
        // The same secret and counter pick the same first port: put exactly that tuple in TIME-WAIT.
        int first = new PortAllocator(PortAllocator.IANA_LOW, PortAllocator.IANA_HIGH, 5, 6)
                .allocate(LOCAL, PEER, 80, (l, lp, r, rp) -> false);
        timeWait.insert(LOCAL, first, PEER, 80, 0, 0, 0, 0, 0, 0);
        int chosen = ports.allocate(LOCAL, PEER, 80, inTimeWait);
        assertNotEquals(first, chosen, "the 4-tuple still in TIME-WAIT is skipped");
        // To another peer port the same local port is fine: TIME-WAIT holds a 4-tuple, not a port.
        assertFalse(inTimeWait.inUse(LOCAL, first, PEER, 443));
    }

    @Test
    void theStartDependsOnTheSecretAndThePeer() {
        Set<Integer> firsts = new HashSet<>();
        for (long secret = 0; secret < 50; secret++) {
            firsts.add(new PortAllocator(PortAllocator.IANA_LOW, PortAllocator.IANA_HIGH, secret, 7)
                    .allocate(LOCAL, PEER, 80, (l, lp, r, rp) -> false));
        }
        assertTrue(firsts.size() > 45, "hard to guess without the secret: " + firsts.size() + " distinct of 50");
        PortAllocator ports = new PortAllocator(PortAllocator.IANA_LOW, PortAllocator.IANA_HIGH, 9, 9);
        PortAllocator same = new PortAllocator(PortAllocator.IANA_LOW, PortAllocator.IANA_HIGH, 9, 9);
        assertNotEquals(ports.allocate(LOCAL, PEER, 80, (l, lp, r, rp) -> false),
                same.allocate(LOCAL, PEER, 443, (l, lp, r, rp) -> false), "another peer port, another offset");
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(0, 10, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(100, 99, 1, 1));
    }
}
