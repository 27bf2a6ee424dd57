package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.wire.TcpFlags;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Urgent data (RFC 6093): delivered in line, in sequence, as ordinary bytes; nothing is taken out of the stream. */
class UrgentDataTest {

    @Test
    void urgentBytesArriveInLine() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults())) {
            TcpConnection c = p.open(PeerSyn.plain());
            p.send(p.data(0, 3));
            // RFC 6093 5 / RFC 9293 3.9.2: the urgent mark does not remove data from the stream (no out-of-band byte)
            p.send(p.data(3, 3).flags(TcpFlags.ACK | TcpFlags.PSH | TcpFlags.URG).urgentPointer(3));
            p.send(p.data(6, 3).flags(TcpFlags.ACK | TcpFlags.URG).urgentPointer(1));
            p.send(p.data(9, 3));
            p.advance(Duration.ofMillis(200));
            assertEquals(12, c.available());
            assertEquals(12, p.read());
            for (int i = 0; i < 12; i++) {
                assertEquals(i, p.received.getByte(i), "byte " + i);
            }
            assertEquals(ScriptedPeer.peerSeq(12), p.log.get(p.log.size() - 1).ack(), "all twelve acknowledged");
            assertEquals(0, c.receive(p.received.clear()));
            assertEquals("", p.received.toString(StandardCharsets.US_ASCII));
        }
    }
}
