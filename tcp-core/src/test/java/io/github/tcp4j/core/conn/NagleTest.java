package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nagle's algorithm (RFC 9293 3.7.4, RFC 896) with Minshall's refinement: a segment shorter
 * than the MSS waits while an earlier short segment is unacknowledged, so small writes
 * coalesce; full-sized segments never wait; TCP_NODELAY turns it off. MSS 1460, 50 ms each way;
 * the peer acknowledges only when the test says so.
 */
class NagleTest {

    private static final int MSS = 1460;

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    @Test
    void aSmallSegmentWaitsWhileAnEarlierSmallOneIsUnacknowledged() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain());
            p.write(0, 100);
            Seg first = p.next();
            assertEquals(100, first.len(), "nothing unacknowledged: the first small segment goes");
            p.write(100, 100);
            p.write(200, 50);
            // RFC 9293 3.7.4: with unacknowledged data, small writes are buffered until the ACK (or a full segment)
            assertNull(p.nextWithin(ms(150)), "held (the RTO, 300 ms, has not expired): " + p.dump());
            p.send(p.ackOf(100));
            Seg coalesced = p.next();
            assertEquals(150, coalesced.len(), "the two writes leave together");
            assertEquals(p.stackSeq(100), coalesced.seq());
        }
    }

    @Test
    void noDelaySendsEachWriteAtOnce() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.builder().noDelay(true).build())) {
            TcpConnection c = p.open(PeerSyn.plain());
            assertEquals(true, c.noDelay());
            p.write(0, 100);
            p.write(100, 100);
            List<Seg> both = p.during(ms(60));
            assertEquals(2, both.size(), "TCP_NODELAY: no waiting: " + both);
        }
    }

    @Test
    void turningNoDelayOnReleasesAHeldSegment() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain());
            p.write(0, 100);
            p.next();
            p.write(100, 100);
            assertNull(p.nextWithin(ms(100)));
            c.noDelay(true);
            Seg released = p.next();
            assertEquals(100, released.len());
            assertEquals(p.stackSeq(100), released.seq());
        }
    }

    @Test
    void fullSizedSegmentsNeverWaitOnlyTheShortTail() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain());
            p.write(0, 100);
            p.next();
            p.write(100, 2 * MSS + 80);
            List<Seg> sent = p.during(ms(60));
            assertEquals(2, sent.size(), sent.toString());
            assertEquals(MSS, sent.get(0).len());
            assertEquals(MSS, sent.get(1).len());
            assertNull(p.nextWithin(ms(100)), "the 80-byte tail waits for the short segment's ACK");
            p.send(p.ackOf(100));
            assertEquals(80, p.next().len());
        }
    }

    @Test
    void minshallOnlyAnUnacknowledgedShortSegmentHoldsTheNext() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain());
            p.write(0, 2 * MSS + 80);
            List<Seg> sent = p.during(ms(60));
            // full segments outstanding do not hold the tail (classic Nagle would): no short segment is in flight
            assertEquals(List.of(MSS, MSS, 80), sent.stream().map(Seg::len).toList());
            p.write(2 * MSS + 80, 100);
            assertNull(p.nextWithin(ms(100)), "the 80-byte segment is unacknowledged: hold");
            p.send(p.ackOf(2 * MSS)); // the full segments only
            assertNull(p.nextWithin(ms(100)), "still the short one outstanding");
            p.send(p.ackOf(2 * MSS + 80));
            Seg next = p.next();
            assertEquals(100, next.len());
        }
    }
}
