package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Restarting after an idle period (RFC 5681 4.1): cwnd falls back to the initial window when idle longer than the RTO. */
class IdleRestartTest {

    private static final int MSS = 1460;

    /** Sends 40 segments, the peer acknowledging each as it arrives, so cwnd grows beyond the initial window. */
    private static TcpConnection warmUp(ScriptedPeer p) {
        TcpConnection c = p.open(PeerSyn.plain());
        p.write(0, 40 * MSS);
        long acked = 0;
        while (acked < 40L * MSS) {
            Seg s = p.next();
            acked = p.stackOffset(s.seq()) + s.len();
            p.send(p.ackOf(acked));
        }
        p.advance(Duration.ofMillis(20));
        assertTrue(c.congestionWindow() > 10L * MSS, "cwnd grew: " + c.congestionWindow());
        return c;
    }

    private static int burst(ScriptedPeer p) {
        p.write(40L * MSS, 40 * MSS);
        List<Seg> sent = p.during(Duration.ofMillis(6)); // one one-way delay: only the first flight
        return sent.size();
    }

    @Test
    void idleLongerThanTheRtoRestartsFromTheInitialWindow() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults(), Duration.ofMillis(5))) {
            TcpConnection c = warmUp(p);
            assertEquals(200_000_000L, c.rto());
            p.advance(Duration.ofMillis(500));
            // RFC 5681 4.1: idle for more than one RTO: cwnd = min(IW, cwnd) before sending
            assertEquals(10, burst(p));
            assertEquals(10L * MSS, c.congestionWindow());
        }
    }

    @Test
    void aShortPauseKeepsTheWindow() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults(), Duration.ofMillis(5))) {
            TcpConnection c = warmUp(p);
            long cwnd = c.congestionWindow();
            p.advance(Duration.ofMillis(100));
            int n = burst(p);
            assertEquals(Math.min(40, cwnd / MSS), n, "idle less than the RTO: the whole window goes");
        }
    }
}
