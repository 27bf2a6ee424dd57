package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Delayed acknowledgments (RFC 9293 3.8.6.3, RFC 5681 4.2): data in order is acknowledged
 * within the delay (40 ms by default) or at once on every second full-sized segment; data out
 * of order at once; an ACK owed rides on data when the application answers in time. The peer's
 * MSS is 1000 and the link 50 ms each way, so an immediate ACK comes back 100 ms after the data
 * is sent and a delayed one 140 ms after.
 */
class DelayedAckTest {

    private static final long MS = 1_000_000L;

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    /** Sends {@code length} bytes at {@code offset} and returns how long the ACK took to come back. */
    private static long ackDelay(ScriptedPeer p, long offset, int length, long expectAck) {
        long sent = p.net.now();
        p.send(p.data(offset, length));
        Seg ack = p.next();
        assertTrue(ack.isPureAck(), ack.toString());
        assertEquals(ScriptedPeer.peerSeq(expectAck), ack.ack(), ack.toString());
        return ack.at() - sent;
    }

    @Test
    void aSingleSegmentIsAcknowledgedAfterTheDelay() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain().withMss(1000));
            // RFC 9293 3.8.6.3 (SHLD-18): delay, but by less than 0.5 s; tcp4j's default is 40 ms
            assertEquals(140 * MS, ackDelay(p, 0, 1000, 1000));
            assertEquals(140 * MS, ackDelay(p, 1000, 10, 1010), "a small segment waits too");
        }
    }

    @Test
    void everySecondFullSizedSegmentIsAcknowledgedAtOnce() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain().withMss(1000));
            long sent = p.net.now();
            p.send(p.data(0, 1000));
            p.send(p.data(1000, 1000));
            Seg ack = p.next();
            // RFC 5681 4.2: an ACK SHOULD be generated for at least every second full-sized segment
            assertEquals(100 * MS, ack.at() - sent);
            assertEquals(ScriptedPeer.peerSeq(2000), ack.ack());
            assertNull(p.nextWithin(ms(200)), "one ACK for the two");
            assertEquals(140 * MS, ackDelay(p, 2000, 1000, 3000), "the count starts again");
        }
    }

    @Test
    void outOfOrderDataIsAcknowledgedAtOnce() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain().withMss(1000));
            // RFC 5681 4.2: an out-of-order segment SHOULD get an immediate (duplicate) ACK ...
            assertEquals(100 * MS, ackDelay(p, 1000, 1000, 0));
            // ... and so SHOULD a segment that fills a gap
            assertEquals(100 * MS, ackDelay(p, 0, 1000, 2000));
        }
    }

    @Test
    void theDelayIsConfigurableAndZeroMeansAtOnce() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.builder().delayedAck(ms(100)).build())) {
            p.open(PeerSyn.plain().withMss(1000));
            assertEquals(200 * MS, ackDelay(p, 0, 1000, 1000));
        }
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.builder().delayedAck(Duration.ZERO).build())) {
            p.open(PeerSyn.plain().withMss(1000));
            assertEquals(100 * MS, ackDelay(p, 0, 1000, 1000));
        }
    }

    @Test
    void theOwedAckRidesOnDataSentWithinTheDelay() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            p.open(PeerSyn.plain().withMss(1000));
            long sent = p.net.now();
            p.send(p.data(0, 500));
            p.advance(ms(70)); // arrived at 50 ms; the ACK would be due at 90 ms
            p.write(0, 300);
            Seg reply = p.next();
            assertEquals(300, reply.len());
            assertEquals(ScriptedPeer.peerSeq(500), reply.ack(), "the data carries the ACK");
            assertEquals(120 * MS, reply.at() - sent);
            assertNull(p.nextWithin(ms(200)), "no separate ACK: " + p.dump());
        }
    }
}
