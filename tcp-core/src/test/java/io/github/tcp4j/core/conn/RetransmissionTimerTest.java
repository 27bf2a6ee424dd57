package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import io.github.tcp4j.core.fsm.TcpState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retransmission timer on the wire (RFC 6298): the RTO a connection computes from its
 * samples, when a segment goes again, the doubling, Karn's rule and the timestamp exception, the
 * R1 and R2 limits. The link's latency is 50 ms each way: every RTT sample here is 100 ms plus
 * what the peer waits before answering.
 */
class RetransmissionTimerTest {

    private static final long MS = 1_000_000L;

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    @Test
    void theHandshakeGivesTheFirstSampleAndDataTheNext() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain());
            // RFC 6298 2.2: the SYN,ACK came 100 ms after the SYN: SRTT = 100, RTTVAR = 50, RTO = 100 + 4 * 50
            assertEquals(100 * MS, c.smoothedRtt());
            assertEquals(300 * MS, c.rto());

            p.write(0, 1000);
            p.next();
            p.advance(ms(200)); // the peer sits on its ACK: R = 300 ms
            p.send(p.ackOf(1000));
            p.advance(ms(50));
            // RFC 6298 2.3: RTTVAR = 3/4 50 + 1/4 |100 - 300| = 87.5; SRTT = 7/8 100 + 1/8 300 = 125
            assertEquals(125 * MS, c.smoothedRtt());
            assertEquals(475 * MS, c.rto());
            assertEquals(87_500_000L, c.rtt.rttvar());
        }
    }

    @Test
    void anUnacknowledgedSegmentGoesAgainAfterTheRtoWhichThenDoubles() {
        TcpConfig config = TcpConfig.builder().r1Retries(2).build();
        try (ScriptedPeer p = new ScriptedPeer(config)) {
            TcpConnection c = p.open(PeerSyn.plain());
            p.write(0, 1000);
            Seg first = p.next();
            // RFC 6298 5.4-5.6: on expiry the earliest unacknowledged segment goes again and RTO doubles
            Seg r1 = p.next();
            Seg r2 = p.next();
            Seg r3 = p.next();
            assertEquals(300 * MS, r1.at() - first.at(), "first retransmission one RTO (300 ms) after the segment");
            assertEquals(600 * MS, r2.at() - r1.at(), "then 2 RTO");
            assertEquals(1200 * MS, r3.at() - r2.at(), "then 4 RTO");
            for (Seg r : List.of(r1, r2, r3)) {
                assertEquals(first.seq(), r.seq());
                assertArrayEquals(first.payload(), r.payload());
            }
            assertEquals(2400 * MS, c.rto());
            assertEquals(3, p.host.stats().retransmitTimeouts());
            // RFC 9293 3.8.3: R1 (here 2 retransmissions) reached once, reported to the host's counters
            assertEquals(1, p.host.stats().r1Reached());
            assertEquals(TcpState.ESTABLISHED, c.state());
        }
    }

    @Test
    void karnNoSampleFromARetransmittedSegmentSoTheBackedOffRtoStays() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain());
            p.write(0, 1000);
            p.next();
            p.next(); // the retransmission, 300 ms later; RTO is now 600 ms
            p.send(p.ackOf(1000));
            p.advance(ms(50));
            // RFC 6298 3 (Karn) and 5.7: the ACK of a retransmitted segment is no sample; the backed-off RTO is kept
            assertEquals(100 * MS, c.smoothedRtt());
            assertEquals(600 * MS, c.rto());
            assertEquals(0, c.sendQueued());

            p.write(1000, 1000);
            p.next();
            p.send(p.ackOf(2000));
            p.advance(ms(50));
            // a segment sent once and acknowledged after 100 ms: a sample, and RTO from SRTT and RTTVAR again
            assertEquals(100 * MS, c.smoothedRtt());
            assertEquals(250 * MS, c.rto(), "100 + 4 * (3/4 * 50) ms");
        }
    }

    @Test
    void timestampsGiveASampleEvenFromARetransmission() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain().withTimestamps(true));
            assertTrue(c.timestampsInUse());
            p.write(0, 1000);
            Seg lost = p.next();
            Seg again = p.next();
            assertTrue(again.tsVal() - lost.tsVal() == 300, "the retransmission carries a fresh TSval");
            p.send(p.ackOf(1000)); // echoes the retransmission's TSval
            p.advance(ms(50));
            // RFC 7323 4.1 (RTTM): the echoed TSval dates the retransmission, so its ACK is a valid 100 ms sample
            assertEquals(100 * MS, c.smoothedRtt());
            assertEquals(250 * MS, c.rto(), "no longer backed off");
        }
    }

    @Test
    void afterR2RetransmissionsTheConnectionTimesOut() {
        TcpConfig config = TcpConfig.builder().dataRetries(3).build();
        try (ScriptedPeer p = new ScriptedPeer(config)) {
            TcpConnection c = p.open(PeerSyn.plain());
            p.write(0, 1000);
            Seg first = p.next();
            p.next();
            p.next();
            Seg third = p.next();
            assertEquals(2100 * MS, third.at() - first.at());
            // RFC 9293 3.8.3: after R2 the connection is closed; the give-up comes one more RTO (2400 ms) after the
            // third was sent (50 ms before it arrived here)
            p.advance(Duration.ofNanos(2350 * MS - 1));
            assertEquals(TcpState.ESTABLISHED, c.state());
            p.advance(ms(1));
            assertEquals(TcpState.CLOSED, c.state());
            assertEquals(TcpError.TIMED_OUT, c.failure());
            assertNull(p.nextWithin(Duration.ofMinutes(5)), "nothing more on the wire: " + p.dump());
        }
    }
}
