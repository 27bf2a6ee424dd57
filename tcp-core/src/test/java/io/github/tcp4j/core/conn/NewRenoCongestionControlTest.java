package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 5681's window arithmetic as {@link NewRenoCongestionControl} does it, fed with synthetic ACKs. MSS 1000. */
class NewRenoCongestionControlTest {

    private static final int MSS = 1000;

    private static CongestionControl reno() {
        return CongestionControl.Algorithm.NEW_RENO.create(MSS, 10);
    }

    @Test
    void startsWithTheInitialWindowInSlowStart() {
        CongestionControl cc = reno();
        assertEquals(CongestionControl.Algorithm.NEW_RENO, cc.algorithm());
        // RFC 6928 / RFC 5681 3.1: IW; ssthresh "arbitrarily high"
        assertEquals(10 * MSS, cc.cwnd());
        assertEquals(Long.MAX_VALUE, cc.ssthresh());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void slowStartGrowsByTheBytesAcknowledgedAtMostTwoSegmentsPerAck() {
        CongestionControl cc = reno();
        // RFC 5681 3.1 (eq. 2): cwnd += min(N, SMSS); RFC 3465 2.2: with L = 2 SMSS
        cc.onAck(MSS, 10 * MSS, 0, 0);
        assertEquals(11 * MSS, cc.cwnd());
        cc.onAck(500, 10 * MSS, 0, 0);
        assertEquals(11 * MSS + 500, cc.cwnd());
        cc.onAck(5 * MSS, 10 * MSS, 0, 0);
        assertEquals(13 * MSS + 500, cc.cwnd(), "a stretch ACK counts for two segments at most");
    }

    @Test
    void congestionAvoidanceAddsOneSegmentPerWindowOfBytesAcknowledged() {
        CongestionControl cc = reno();
        cc.onCongestionEvent(20 * MSS, 0);
        cc.cwnd(cc.ssthresh());
        assertEquals(10 * MSS, cc.cwnd());
        assertFalse(cc.inSlowStart());
        // RFC 5681 3.1 (eq. 3) by byte counting (RFC 3465 2.1): one SMSS once cwnd bytes were acknowledged
        for (int i = 0; i < 9; i++) {
            cc.onAck(MSS, 10 * MSS, 0, 0);
        }
        assertEquals(10 * MSS, cc.cwnd(), "nine segments of ten: no growth yet");
        cc.onAck(MSS, 10 * MSS, 0, 0);
        assertEquals(11 * MSS, cc.cwnd());
        for (int i = 0; i < 11; i++) {
            cc.onAck(MSS, 11 * MSS, 0, 0);
        }
        assertEquals(12 * MSS, cc.cwnd(), "the next step needs the new, larger window");
    }

    @Test
    void aLossHalvesTheFlightButNotBelowTwoSegments() {
        CongestionControl cc = reno();
        // RFC 5681 3.2 step 2 (eq. 4): ssthresh = max(FlightSize / 2, 2 * SMSS)
        cc.onCongestionEvent(30 * MSS, 0);
        assertEquals(15 * MSS, cc.ssthresh());
        cc.onCongestionEvent(3 * MSS, 0);
        assertEquals(2 * MSS, cc.ssthresh());
    }

    @Test
    void aTimeoutLeavesOneSegment() {
        CongestionControl cc = reno();
        cc.cwnd(40 * MSS);
        // RFC 5681 3.1: on a timeout ssthresh per eq. 4 and cwnd = LW = 1 SMSS
        cc.onRetransmitTimeout(30 * MSS, 0);
        assertEquals(15 * MSS, cc.ssthresh());
        assertEquals(MSS, cc.cwnd());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void restartAfterIdleFallsBackToTheInitialWindowButNeverGrows() {
        CongestionControl cc = reno();
        cc.cwnd(50 * MSS);
        // RFC 5681 4.1: cwnd = min(RW, cwnd), RW = min(IW, cwnd)
        cc.onIdleRestart(0);
        assertEquals(10 * MSS, cc.cwnd());
        cc.cwnd(5 * MSS);
        cc.onIdleRestart(0);
        assertEquals(5 * MSS, cc.cwnd());
    }

    @Test
    void theWindowIsNeverBelowOneSegmentAndFollowsTheMss() {
        CongestionControl cc = reno();
        cc.cwnd(10);
        assertEquals(MSS, cc.cwnd());
        cc.mss(1460);
        assertEquals(14_600, cc.cwnd(), "IW re-based on the negotiated MSS");
    }
}
