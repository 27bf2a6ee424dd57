package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The SACK blocks a tcp4j receiver reports (RFC 2018 section 4) as the peer's data arrives out
 * of order: each such segment is acknowledged at once, the first block holds the segment that
 * just arrived, the others repeat the most recent earlier ones, and the option holds at most 3
 * blocks beside timestamps (4 without).
 */
class SackReceiverTest {

    /** The stack's ACK for the peer's {@code length} bytes at {@code offset}, sent now; it must come at once. */
    private static Seg ackFor(ScriptedPeer p, long offset, int length) {
        p.send(p.data(offset, length));
        Seg ack = p.nextWithin(Duration.ofMillis(101)); // 100 ms RTT: an immediate ACK, not a delayed one
        assertTrue(ack != null && ack.isPureAck(), "an immediate ACK for data at " + offset + ": " + p.dump());
        return ack;
    }

    private static long[] blocks(ScriptedPeer p, Seg ack) {
        return p.sackOffsets(ack);
    }

    @Test
    void theFirstBlockHoldsTheLatestArrivalAndAtMostThreeFitBesideTimestamps() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.full());
            assertTrue(c.sackPermitted());
            int nxt = ScriptedPeer.peerSeq(0);

            Seg a1 = ackFor(p, 1000, 1000);
            assertEquals(nxt, a1.ack());
            // RFC 2018 4: out-of-order data is reported in a SACK block at once
            assertArrayEquals(new long[] {1000, 2000}, blocks(p, a1));
            // ... the first block holds the segment that triggered the ACK, then the most recently reported
            assertArrayEquals(new long[] {3000, 4000, 1000, 2000}, blocks(p, ackFor(p, 3000, 1000)));
            assertArrayEquals(new long[] {5000, 6000, 3000, 4000, 1000, 2000}, blocks(p, ackFor(p, 5000, 1000)));
            // RFC 2018 3: with timestamps (12 bytes) in every segment, three blocks fit
            Seg a4 = ackFor(p, 7000, 1000);
            assertTrue(a4.hasTimestamps());
            assertArrayEquals(new long[] {7000, 8000, 5000, 6000, 3000, 4000}, blocks(p, a4));
            // a segment joining two blocks: the merged block comes first
            assertArrayEquals(new long[] {1000, 4000, 7000, 8000, 5000, 6000}, blocks(p, ackFor(p, 2000, 1000)));
            // the hole at the left edge fills: the ACK moves and the delivered block is gone
            Seg a6 = ackFor(p, 0, 1000);
            assertEquals(ScriptedPeer.peerSeq(4000), a6.ack());
            assertArrayEquals(new long[] {7000, 8000, 5000, 6000}, blocks(p, a6));
            Seg a7 = ackFor(p, 4000, 1000);
            assertEquals(ScriptedPeer.peerSeq(6000), a7.ack());
            assertArrayEquals(new long[] {7000, 8000}, blocks(p, a7));
            Seg a8 = ackFor(p, 6000, 1000);
            assertEquals(ScriptedPeer.peerSeq(8000), a8.ack());
            assertEquals(0, a8.sackBlocks(), "no hole, no SACK option");

            assertEquals(8000, p.read());
            for (int i = 0; i < 8000; i++) {
                assertEquals((byte) (i % 251), p.received.getByte(i), "byte " + i + " reassembled in order");
            }
        }
    }

    @Test
    void withoutTimestampsFourBlocksFit() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.full().withTimestamps(false));
            for (int i = 1; i <= 4; i++) {
                ackFor(p, 2000L * i, 1000);
            }
            Seg a5 = ackFor(p, 10_000, 1000);
            // RFC 2018 3: 40 bytes of options hold at most 4 blocks
            assertEquals(4, a5.sackBlocks());
            assertArrayEquals(new long[] {10_000, 11_000, 8000, 9000, 6000, 7000, 4000, 5000}, blocks(p, a5));
        }
    }

    @Test
    void aDuplicateOfDeliveredDataIsAcknowledgedAtOnceWithoutABlock() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.full());
            p.send(p.data(0, 1000));
            p.advance(Duration.ofMillis(200)); // the delayed ACK went
            p.drain();
            Seg dup = ackFor(p, 0, 1000);
            // RFC 5681 4.2 / RFC 9293 3.10.7.4: a duplicate segment is acknowledged (no D-SACK is generated)
            assertEquals(ScriptedPeer.peerSeq(1000), dup.ack());
            assertEquals(0, dup.sackBlocks());
        }
    }
}
