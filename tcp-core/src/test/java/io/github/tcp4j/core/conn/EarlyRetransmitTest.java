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
 * Early retransmit (RFC 5827): with fewer than four segments outstanding and nothing new the
 * windows would let out, fewer than three duplicate ACKs are all the peer can send, so the
 * threshold is one less than the segments outstanding; otherwise it stays three (RFC 5681 3.2)
 * and limited transmit (RFC 3042) brings the duplicates. MSS 1460, 5 ms each way, no SACK: the
 * retransmissions asserted here come 10 ms after the loss, long before the 200 ms timeout.
 */
class EarlyRetransmitTest {

    private static final int MSS = 1460;
    private static final Duration STEP = Duration.ofMillis(10); // one RTT

    private static ScriptedPeer peer() {
        TcpConfig config = TcpConfig.builder().congestionControl(CongestionControl.Algorithm.NEW_RENO).sack(false).build();
        return new ScriptedPeer(config, Duration.ofMillis(5));
    }

    /** Opens, writes {@code segments} full segments (all the application has), and takes them. */
    private static TcpConnection openAndSend(ScriptedPeer p, int segments, int written) {
        TcpConnection c = p.open(PeerSyn.plain().withWindow(p.peerWindow));
        p.write(0, written);
        List<Seg> burst = p.next(segments);
        for (int i = 0; i < segments; i++) {
            assertEquals(i * (long) MSS, p.stackOffset(burst.get(i).seq()));
        }
        return c;
    }

    @Test
    void threeSegmentsOutstandingAndNothingMoreToSendRetransmitOnTheSecondDuplicate() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSend(p, 3, 3 * MSS);
            // segment 0 is lost; segments 1 and 2 each bring a duplicate ACK
            p.send(p.ackOf(0));
            assertEquals(List.of(), p.during(STEP), "one duplicate is not enough with three outstanding");
            p.send(p.ackOf(0));
            List<Seg> after = p.during(STEP);
            // RFC 5827 3.1: oldSeg = 3 < 4, no unsent data: ER_thresh = oldSeg - 1 = 2
            assertEquals(1, after.size(), after.toString());
            assertEquals(0, p.stackOffset(after.get(0).seq()));
            assertTrue(c.inLossRecovery());
            assertEquals(1, p.host.stats().fastRetransmits());
            assertEquals(0, p.host.stats().retransmitTimeouts());
        }
    }

    @Test
    void twoSegmentsOutstandingRetransmitOnTheFirstDuplicate() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSend(p, 2, 2 * MSS);
            p.send(p.ackOf(0));
            List<Seg> after = p.during(STEP);
            assertEquals(1, after.size(), after.toString());
            assertEquals(0, p.stackOffset(after.get(0).seq()));
            assertTrue(c.inLossRecovery());
            assertEquals(1, p.host.stats().fastRetransmits());
        }
    }

    @Test
    void aClosedReceiveWindowCountsAsNothingToSend() {
        try (ScriptedPeer p = peer()) {
            p.peerWindow = 3 * MSS; // the peer's window holds three segments
            TcpConnection c = openAndSend(p, 3, 10 * MSS);
            assertEquals(List.of(), p.during(STEP), "the window is full");
            p.send(p.ackOf(0));
            p.during(STEP);
            p.send(p.ackOf(0));
            List<Seg> after = p.during(STEP);
            // RFC 5827 3.1 (2): unsent data, but the advertised window permits no new segment
            assertEquals(1, after.size(), after.toString());
            assertEquals(0, p.stackOffset(after.get(0).seq()));
            assertTrue(c.inLossRecovery());
        }
    }

    @Test
    void withNewDataToSendTheThresholdStaysThree() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSend(p, 3, 3 * MSS);
            p.write(3 * MSS, 10 * MSS); // more data arrives before the duplicates: it can go
            List<Seg> more = p.during(STEP);
            assertEquals(7, more.size(), "the rest of the initial window: " + more);
            p.send(p.ackOf(0));
            List<Seg> first = p.during(STEP);
            p.send(p.ackOf(0));
            List<Seg> second = p.during(STEP);
            // ten segments outstanding: no early retransmit; limited transmit sends new data instead
            first.forEach(s -> assertTrue(p.stackOffset(s.seq()) >= 10L * MSS, "new data only: " + s));
            second.forEach(s -> assertTrue(p.stackOffset(s.seq()) >= 10L * MSS, "new data only: " + s));
            assertFalse(c.inLossRecovery());
            assertEquals(0, p.host.stats().fastRetransmits());
        }
    }

    @Test
    void oneSegmentOutstandingWaitsForTheTimeout() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = openAndSend(p, 1, MSS);
            // a duplicate ACK with one segment outstanding is impossible to get from the receiver
            // (nothing above the hole): RFC 5827 needs oldSeg >= 2; an ACK of 0 repeated changes nothing
            p.send(p.ackOf(0));
            assertEquals(List.of(), p.during(STEP));
            assertFalse(c.inLossRecovery());
            assertEquals(0, p.host.stats().fastRetransmits());
        }
    }
}
