package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fast retransmit and NewReno fast recovery without SACK (RFC 5681 3.2, RFC 6582) and limited
 * transmit (RFC 3042), against a peer that loses segments on purpose. MSS 1460 (no timestamps),
 * initial window 10 segments, 5 ms each way, so the RTO (200 ms) stays out of the way.
 */
class FastRetransmitTest {

    private static final int MSS = 1460;
    private static final Duration STEP = Duration.ofMillis(10); // one RTT

    private static ScriptedPeer peer() {
        TcpConfig config = TcpConfig.builder().congestionControl(CongestionControl.Algorithm.NEW_RENO).build();
        return new ScriptedPeer(config, Duration.ofMillis(5));
    }

    /** Opens, queues 20 segments, takes the initial window of 10. */
    private static TcpConnection openAndSendTen(ScriptedPeer p) {
        TcpConnection c = p.open(PeerSyn.plain());
        assertEquals(MSS, c.sendMss());
        p.write(0, 20 * MSS);
        List<Seg> burst = p.next(10);
        for (int i = 0; i < 10; i++) {
            assertEquals(i * (long) MSS, p.stackOffset(burst.get(i).seq()));
            assertEquals(MSS, burst.get(i).len());
        }
        assertEquals(List.of(), p.during(STEP), "the initial window is 10 segments (RFC 6928)");
        return c;
    }

    private static long offset(ScriptedPeer p, Seg s) {
        return p.stackOffset(s.seq());
    }

    @Test
    void theThirdDuplicateAckTriggersTheRetransmissionNotTheSecond() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSendTen(p);
            long cwnd = c.congestionWindow();
            // segment 0 is lost; segments 1.. each bring a duplicate ACK
            p.send(p.ackOf(0));
            List<Seg> afterFirst = p.during(STEP);
            p.send(p.ackOf(0));
            List<Seg> afterSecond = p.during(STEP);
            // RFC 3042: each of the first two duplicate ACKs lets one new segment out, cwnd unchanged
            assertEquals(1, afterFirst.size(), "one new segment: " + afterFirst);
            assertEquals(10L * MSS, offset(p, afterFirst.get(0)));
            assertEquals(1, afterSecond.size(), "one new segment: " + afterSecond);
            assertEquals(11L * MSS, offset(p, afterSecond.get(0)));
            assertEquals(cwnd, c.congestionWindow());
            assertFalse(c.inLossRecovery());
            assertEquals(0, p.host.stats().retransmissions(), "no retransmission on the second duplicate ACK");

            p.send(p.ackOf(0));
            List<Seg> afterThird = p.during(STEP);
            // RFC 5681 3.2 step 2: the third duplicate ACK: retransmit the segment at SND.UNA at once
            assertEquals(1, afterThird.size(), afterThird.toString());
            assertEquals(0, offset(p, afterThird.get(0)));
            assertEquals(MSS, afterThird.get(0).len());
            assertTrue(c.inLossRecovery());
            assertEquals(1, p.host.stats().fastRetransmits());
            // RFC 5681 3.2 step 3: cwnd = ssthresh + 3 SMSS
            assertEquals(c.slowStartThreshold() + 3L * MSS, c.congestionWindow());

            p.send(p.ackOf(0));
            p.send(p.ackOf(0));
            List<Seg> inflated = p.during(STEP);
            // RFC 5681 3.2 step 4: each further duplicate ACK inflates cwnd by one SMSS; new data goes when it fits
            assertEquals(c.slowStartThreshold() + 5L * MSS, c.congestionWindow());
            inflated.forEach(s -> assertTrue(offset(p, s) >= 12L * MSS, "only new data now: " + s));
        }
    }

    @Test
    void ssthreshIsHalfTheFlightWithoutTheLimitedTransmitSegments() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSendTen(p);
            for (int i = 0; i < 3; i++) {
                p.send(p.ackOf(0));
                p.during(STEP);
            }
            assertTrue(c.inLossRecovery());
            // RFC 5681 3.2 step 2 (eq. 4): ssthresh = max(FlightSize / 2, 2 SMSS); "data sent in limited
            // transmit MUST NOT be included in this calculation": 10 segments, not 12
            assertEquals(5L * MSS, c.slowStartThreshold());
        }
    }

    @Test
    void anAckThatChangesTheWindowOrCarriesDataIsNoDuplicate() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSendTen(p);
            // RFC 5681 2: a duplicate ACK carries no data and leaves the advertised window unchanged
            for (int i = 1; i <= 3; i++) {
                p.peerWindow = 65535 - i;
                p.send(p.ackOf(0));
            }
            p.peerWindow = 65535 - 3;
            for (int i = 0; i < 3; i++) {
                p.send(p.data(i * 100L, 100));
            }
            List<Seg> sent = p.during(STEP);
            assertFalse(c.inLossRecovery());
            assertEquals(0, p.host.stats().retransmissions());
            sent.forEach(s -> assertTrue(s.len() == 0, "no data (no limited transmit either): " + s));
        }
    }

    @Test
    void newRenoPartialAckRetransmitsTheNextHoleAtOnceAndAFullAckEndsRecovery() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSendTen(p);
            // segments 0 and 4 are lost
            for (int i = 0; i < 3; i++) {
                p.send(p.ackOf(0));
                p.during(STEP);
            }
            assertTrue(c.inLossRecovery());
            long recoveryPoint = 12L * MSS; // SND.NXT when recovery began: 10 + 2 limited-transmit segments
            long cwndBefore = c.congestionWindow();

            p.send(p.ackOf(4L * MSS)); // the retransmitted segment 0 filled the first hole: a partial ACK
            List<Seg> afterPartial = p.during(STEP);
            // RFC 6582 3.2 step 4: on a partial ACK retransmit the first unacknowledged segment at once
            assertFalse(afterPartial.isEmpty(), "something must go at once");
            assertEquals(4L * MSS, offset(p, afterPartial.get(0)), afterPartial.toString());
            assertTrue(c.inLossRecovery(), "a partial ACK does not end recovery");
            // ... and deflate cwnd by the amount acknowledged, adding back one SMSS
            assertEquals(cwndBefore - 4L * MSS + MSS, c.congestionWindow());

            long highestSent = p.log.stream().filter(s -> s.len() > 0).mapToLong(s -> offset(p, s) + s.len()).max().orElse(0);
            p.send(p.ackOf(recoveryPoint)); // everything up to the recovery point
            p.during(STEP);
            // RFC 6582 3.2 step 3: a full ACK ends recovery; cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
            assertFalse(c.inLossRecovery());
            long flight = highestSent - recoveryPoint;
            assertEquals(Math.min(c.slowStartThreshold(), Math.max(flight, MSS) + MSS), c.congestionWindow());
            assertEquals(1, p.host.stats().fastRetransmits(), "one recovery episode");
            assertEquals(0, p.host.stats().retransmitTimeouts());
        }
    }

    @Test
    void aTimeoutDuringRecoveryDoesNotRaiseSsthresh() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = p.open(PeerSyn.plain());
            p.write(0, 60 * MSS);
            p.next(10);
            for (int i = 0; i < 3; i++) {
                p.send(p.ackOf(0));
                p.during(STEP);
            }
            assertTrue(c.inLossRecovery());
            long recoverySsthresh = c.slowStartThreshold();
            // more duplicate ACKs inflate cwnd (RFC 5681 3.2 step 4) and let new data out: SND.NXT runs ahead
            for (int i = 0; i < 30; i++) {
                p.send(p.ackOf(0));
            }
            p.during(STEP);
            assertTrue(c.sndNxt() - c.sndUna() >= 30L * MSS, "inflation sent new data");
            // then silence: the retransmission timer expires during recovery
            p.advance(Duration.ofMillis(300));
            assertTrue(p.host.stats().retransmitTimeouts() > 0);
            // RFC 5681 3.1: on a timeout ssthresh is set to *no more than* max(FlightSize / 2, 2 SMSS); the data
            // NewReno's inflation let out is no sign of a larger path, and Linux keeps the recovery's ssthresh
            // (tcp_enter_loss): a timeout must not raise it
            assertTrue(c.slowStartThreshold() <= recoverySsthresh,
                    "ssthresh " + recoverySsthresh + " -> " + c.slowStartThreshold() + " on a timeout");
        }
    }
}
