package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Protection against wrapped sequence numbers (RFC 7323 5): old timestamps mark old duplicates. */
class PawsTest {

    @Test
    void aSegmentWithAnOlderTimestampIsDroppedAndAcknowledgedButARstIsExempt() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.full());
            p.send(p.data(0, 100));
            p.advance(Duration.ofMillis(200));
            p.drain();
            assertEquals(100, c.available());
            int tsRecent = p.peerTsVal() - 200; // the TSval of that segment (sent 200 ms ago)
            long dropsBefore = p.host.stats().droppedByStateMachine();

            // RFC 7323 5.3 R1: SEG.TSval < TS.Recent and no RST: an old duplicate, dropped, and an ACK sent
            TcpSegment old = p.data(100, 100).timestamps(tsRecent - 1, p.tsRecent);
            p.send(old);
            Seg ack = p.nextWithin(Duration.ofMillis(101));
            assertNotNull(ack, "the old duplicate is acknowledged at once");
            assertTrue(ack.isPureAck());
            assertEquals(ScriptedPeer.peerSeq(100), ack.ack(), "RCV.NXT did not move");
            assertEquals(100, c.available(), "its data was not taken");
            assertTrue(p.host.stats().droppedByStateMachine() > dropsBefore);

            // the same bytes with a current timestamp are taken
            p.send(p.data(100, 100));
            p.advance(Duration.ofMillis(60));
            assertEquals(200, c.available());

            // RFC 7323 5.3 R1 applies only "if the RST bit is off": a RST at RCV.NXT with an old TSval resets
            TcpSegment rst = new TcpSegment().flags(TcpFlags.RST).seq(ScriptedPeer.peerSeq(200)).window(0)
                    .timestamps(tsRecent - 1000, 0);
            p.send(rst);
            p.advance(Duration.ofMillis(60));
            assertEquals(TcpState.CLOSED, c.state());
            assertEquals(TcpError.RESET, c.failure());
        }
    }

    @Test
    void tsRecentOlderThan24DaysNoLongerRejects() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.full());
            p.send(p.data(0, 100));
            int tsRecent = p.peerTsVal();
            p.advance(Duration.ofDays(25));
            p.drain();
            // RFC 7323 5.5: after 24 days idle TS.Recent is invalid, so an older TSval is accepted
            p.send(p.data(100, 100).timestamps(tsRecent - 5, p.tsRecent));
            p.advance(Duration.ofMillis(60));
            assertEquals(200, c.available());
        }
    }
}
