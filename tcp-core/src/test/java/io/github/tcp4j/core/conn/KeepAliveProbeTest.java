package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.wire.TcpFlags;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Keep-alive (RFC 9293 3.8.4) on the wire: when probes go, what they look like, and when the peer is declared gone. */
class KeepAliveProbeTest {

    private static final long MS = 1_000_000L;

    @Test
    void probesAfterTheIdleTimeThenEveryIntervalUntilTheCountIsReached() {
        TcpConfig config = TcpConfig.builder().keepAlive(true, Duration.ofSeconds(10), Duration.ofSeconds(2), 3).build();
        try (ScriptedPeer p = new ScriptedPeer(config)) {
            TcpConnection c = p.open(PeerSyn.plain());
            long heard = 100 * MS; // the SYN,ACK arrived at 100 ms
            Seg first = p.next();
            // RFC 9293 3.8.4: a probe after the idle time: an ACK with SEG.SEQ = SND.NXT - 1 and no data
            assertTrue(first.isPureAck(), first.toString());
            assertEquals(p.stackSeq(0) - 1, first.seq());
            assertEquals(10_000 * MS, first.at() - 50 * MS - heard);

            p.send(p.ackOf(0)); // answered
            long answeredAt = p.net.now() + 50 * MS;
            Seg second = p.next();
            assertEquals(10_000 * MS, second.at() - 50 * MS - answeredAt, "the answer restarts the idle time");

            Seg third = p.next();
            Seg fourth = p.next();
            assertEquals(2000 * MS, third.at() - second.at(), "unanswered: every interval");
            assertEquals(2000 * MS, fourth.at() - third.at());
            // three unanswered probes: the connection is reset one interval after the last
            Seg rst = p.next();
            assertTrue(rst.has(TcpFlags.RST), rst.toString());
            assertEquals(2000 * MS, rst.at() - fourth.at());
            assertEquals(TcpState.CLOSED, c.state());
            assertEquals(TcpError.TIMED_OUT, c.failure());
        }
    }

    @Test
    void offByDefault() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain());
            // RFC 9293 3.8.4 (MUST-24): keep-alives default to off
            assertEquals(null, p.nextWithin(Duration.ofHours(5)));
            assertEquals(TcpState.ESTABLISHED, c.state());
        }
    }
}
