package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A segment whose data the stack already has means the peer did not get our ACK: it must be
 * acknowledged again, every time, or the peer's retransmission timer backs off for nothing.
 */
class DuplicateDataTest {

    @Test
    void everyRetransmissionOfReceivedDataIsAcknowledged() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.full());
            p.send(p.data(0, 1000));
            p.advance(Duration.ofMillis(200));
            p.drain(); // our (delayed) ACK, "lost" on the way
            // the peer retransmits after its RTO and backs off: 200 ms, then 400 ms, then 800 ms later
            for (long gap : new long[] {0, 400, 800}) {
                p.advance(Duration.ofMillis(gap));
                p.send(p.data(0, 1000));
                // RFC 9293 3.10.7.4: an unacceptable segment is answered with an ACK; RFC 5681 4.2: a duplicate at once
                Seg ack = p.nextWithin(Duration.ofMillis(101));
                assertNotNull(ack, "the duplicate sent " + gap + " ms after the previous one is acknowledged:\n" + p.dump());
                assertTrue(ack.isPureAck());
                assertEquals(ScriptedPeer.peerSeq(1000), ack.ack());
            }
            assertEquals(1000, c.available(), "the data was taken once");
        }
    }
}
