package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import io.github.tcp4j.core.wire.TcpFlags;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Window scaling (RFC 7323 2): negotiated in the SYNs, applied to SEG.WND of every other segment, both ways. */
class WindowScaleTest {

    private static final int BIG = 4 * 1024 * 1024;

    private static TcpConfig bigBuffers() {
        return TcpConfig.builder().receiveBufferSize(BIG).sendBufferSize(BIG).build();
    }

    @Test
    void thePeersWindowFieldIsShiftedExceptInItsSynAck() {
        try (ScriptedPeer p = new ScriptedPeer(bigBuffers())) {
            TcpConnection c = p.open(PeerSyn.plain().withWindowScale(3).withWindow(1000).withMss(1000));
            assertTrue(c.windowScaling());
            assertEquals(3, c.sendWindowShift());
            // RFC 7323 2.2: the window field of a SYN (here SYN,ACK) is never scaled
            assertEquals(1000, c.sendWindow());

            p.peerWindow = 500;
            p.send(p.ackOf(0));
            p.advance(Duration.ofMillis(60));
            // RFC 7323 2.3: SND.WND = SEG.WND << Snd.Wind.Shift
            assertEquals(4000, c.sendWindow());
            p.write(0, 10_000);
            List<Seg> sent = p.during(Duration.ofMillis(60));
            assertEquals(4, sent.size(), "4000 bytes fit the scaled window: " + sent);
            assertEquals(4000, sent.stream().mapToInt(Seg::len).sum());
            assertEquals(List.of(), p.during(Duration.ofMillis(150)), "nothing beyond the window");
        }
    }

    @Test
    void ourWindowFieldIsShiftedAfterTheSyn() {
        try (ScriptedPeer p = new ScriptedPeer(bigBuffers())) {
            TcpConnection c = p.open(PeerSyn.full().withWindowScale(2));
            Seg syn = p.log.get(0);
            Seg ack = p.log.get(1);
            // RFC 7323 2.2: the smallest shift that expresses a 4 MiB buffer in 16 bits is 7
            assertEquals(7, syn.windowScale());
            assertEquals(7, c.receiveWindowShift());
            assertEquals(65535, syn.window(), "the SYN's own window is unscaled, so at most 65535");
            assertTrue(ack.has(TcpFlags.ACK) && !ack.has(TcpFlags.SYN));
            assertEquals(BIG >> 7, ack.window(), "later segments carry RCV.WND >> Rcv.Wind.Shift");
            assertEquals(BIG, c.rcvWnd());
        }
    }

    @Test
    void noScalingUnlessBothSynsCarryTheOption() {
        try (ScriptedPeer p = new ScriptedPeer(bigBuffers())) {
            TcpConnection c = p.open(PeerSyn.plain().withWindow(1000));
            // RFC 7323 2.2: the option is sent in a SYN only... both sides must send it for scaling to be used
            assertTrue(p.log.get(0).windowScale() >= 0, "offered in our SYN");
            assertFalse(c.windowScaling());
            assertEquals(0, c.sendWindowShift());
            assertEquals(0, c.receiveWindowShift());
            assertEquals(65535, p.log.get(1).window(), "unscaled: a 4 MiB buffer shows as 65535");
            p.peerWindow = 1000;
            p.send(p.ackOf(0));
            p.advance(Duration.ofMillis(60));
            assertEquals(1000, c.sendWindow());
        }
    }

    @Test
    void aShiftAbove14IsUsedAs14() {
        try (ScriptedPeer p = new ScriptedPeer(bigBuffers())) {
            TcpConnection c = p.open(PeerSyn.plain().withWindowScale(15));
            // RFC 7323 2.3: a shift count above 14 MUST be used as 14
            assertEquals(14, c.sendWindowShift());
            p.peerWindow = 2;
            p.send(p.ackOf(0));
            p.advance(Duration.ofMillis(60));
            assertEquals(2L << 14, c.sendWindow());
        }
    }
}
