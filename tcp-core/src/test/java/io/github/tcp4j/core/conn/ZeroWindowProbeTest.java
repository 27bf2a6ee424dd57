package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import io.github.tcp4j.core.fsm.TcpState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Zero-window probing (RFC 9293 3.8.6.1): the persist timer, its exponential backoff, a
 * connection kept open for as long as the probes are answered, and given up once
 * {@link TcpConfig#dataRetries()} probes in a row go unanswered. MSS 1000, 50 ms each way,
 * maximum RTO 2 s so the backoff's ceiling shows.
 */
class ZeroWindowProbeTest {

    private static final long MS = 1_000_000L;

    private static ScriptedPeer peer() {
        return new ScriptedPeer(TcpConfig.builder().maxRto(Duration.ofSeconds(2)).dataRetries(4).build());
    }

    /** The peer takes 3000 bytes and closes its window; then 5000 more wait. Returns the connection. */
    private static TcpConnection closeTheWindow(ScriptedPeer p) {
        TcpConnection c = p.open(PeerSyn.plain().withMss(1000));
        p.write(0, 3000);
        assertEquals(3, p.next(3).size());
        p.peerWindow = 0;
        p.send(p.ackOf(3000));
        p.advance(Duration.ofMillis(50));
        assertEquals(0, c.sendWindow());
        assertEquals(250 * MS, c.rto(), "two 100 ms samples: 100 + 4 * 37.5 ms");
        assertEquals(5000, p.write(3000, 5000));
        return c;
    }

    private static boolean isProbe(ScriptedPeer p, Seg s) {
        // the probe: an ACK with an old sequence number (SND.UNA - 1), which the receiver must answer
        return s.isPureAck() && s.seq() == p.stackSeq(3000) - 1;
    }

    @Test
    void probesBackOffExponentiallyAndKeepTheConnectionWhileAnswered() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = closeTheWindow(p);
            long closedAt = p.net.now();
            List<Long> sendTimes = new ArrayList<>();
            for (int i = 0; i < 12; i++) { // three times dataRetries
                Seg probe = p.next();
                assertTrue(isProbe(p, probe), "a zero-window probe, got " + probe);
                sendTimes.add(probe.at() - 50 * MS);
                p.send(p.ackOf(3000)); // answered, window still 0
            }
            // RFC 9293 3.8.6.1 (SHLD-29): the first probe after one RTO; (SHLD-30) then exponential backoff, here up to the maximum RTO
            assertEquals(250 * MS, sendTimes.get(0) - closedAt);
            long[] expected = {500, 1000, 2000, 2000, 2000};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i] * MS, sendTimes.get(i + 1) - sendTimes.get(i), "interval " + (i + 1) + ": " + sendTimes);
            }
            // RFC 9293 3.8.6.1 (MUST-36/37): answered probes keep the connection open indefinitely
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertEquals(3000, c.sndNxt() - p.stackSeq(0), "no data beyond the zero window");

            // the window opens: the waiting data goes at once
            p.peerWindow = 65535;
            p.send(p.ackOf(3000));
            List<Seg> data = p.during(Duration.ofMillis(110)); // the ACK's way and the data's way back
            assertEquals(5000, data.stream().mapToInt(Seg::len).sum(), data.toString());
        }
    }

    @Test
    void unansweredProbesEndTheConnectionAfterDataRetries() {
        try (ScriptedPeer p = peer()) {
            TcpConnection c = closeTheWindow(p);
            for (int i = 0; i < 4; i++) {
                assertTrue(isProbe(p, p.next()));
            }
            // the fifth expiry, 2 s after the fourth probe: four unanswered probes are dataRetries, the peer is gone
            p.advance(Duration.ofMillis(1949));
            assertEquals(TcpState.ESTABLISHED, c.state());
            p.advance(Duration.ofMillis(2));
            assertEquals(TcpState.CLOSED, c.state());
            assertEquals(TcpError.TIMED_OUT, c.failure());
            assertNull(p.nextWithin(Duration.ofSeconds(10)), "no fifth probe: " + p.dump());
        }
    }

    @Test
    void aZeroWindowProbeDoesNotSwallowAnOwedAck() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain().withMss(1000)); // at 150 ms
            p.write(0, 1000);
            p.next(); // at 200 ms
            p.peerWindow = 0;
            p.send(p.ackOf(1000));
            p.advance(Duration.ofMillis(50)); // 250 ms: window 0, RTO 250 ms
            assertEquals(250 * MS, c.rto());
            p.write(1000, 1000); // waits: the persist timer is due at 500 ms
            p.advance(Duration.ofMillis(170));
            p.send(p.data(0, 100)); // arrives at 470 ms: the stack owes an ACK, delayed to 510 ms
            List<Seg> seen = p.during(Duration.ofMillis(300));
            assertTrue(seen.stream().anyMatch(s -> s.isPureAck() && s.seq() == p.stackSeq(1000) - 1),
                    "the probe went at 500 ms: " + seen);
            // RFC 9293 3.10.7.4: the probe (SEG.SEQ = SND.UNA - 1) is unacceptable to the peer, which drops it
            // after answering, its ACK field unread; so the owed ACK must still go in an acceptable segment
            // (RFC 9293 3.8.6.3: within 0.5 s), or the peer's data waits for its retransmission timer
            assertTrue(seen.stream().anyMatch(s -> s.seq() == p.stackSeq(1000) && s.ack() == ScriptedPeer.peerSeq(100)),
                    "an acceptable ACK of the peer's 100 bytes:\n" + p.dump());
        }
    }
}
