package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.host.Scenarios.ms;
import static io.github.tcp4j.core.host.Scenarios.s;
import static io.github.tcp4j.core.host.TwoHosts.B;
import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.PSH;
import static io.github.tcp4j.core.wire.TcpFlags.RST;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.transport.PeerScript;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * RFC 5961 against a scripted peer: blind RST and SYN injection. The script plays the client at
 * 10.0.0.1:40000 (in place of host a) with ISS 1000 and no options; host b listens on port 80, so
 * its receive window is 65,535 bytes from RCV.NXT = 1001.
 */
class ChallengeAckTest {

    private static final int PEER_ISS = 1000;
    private static final int RCV_NXT = PEER_ISS + 1;

    /** The scripted handshake; returns the server's ISS. */
    private static int handshake(PeerScript peer) {
        int[] iss = new int[1];
        peer.send(last -> new TcpSegment().flags(SYN).seq(PEER_ISS).window(65535))
                .expect("SYN,ACK of our SYN", seg -> {
                    iss[0] = seg.seq();
                    return seg.has(SYN) && seg.has(ACK) && seg.ack() == RCV_NXT;
                })
                .send(last -> new TcpSegment().flags(ACK).seq(RCV_NXT).ack(last.seq() + 1).window(65535))
                .advance(ms(20))
                .run();
        return iss[0];
    }

    /** RFC 5961 3.2 / 4.2: a challenge ACK is <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
    private static Predicate<TcpSegment> challengeAck(int sndNxt) {
        return seg -> seg.flags() == ACK && seg.seq() == sndNxt && seg.ack() == RCV_NXT && seg.payloadLength() == 0;
    }

    private static TcpSegment rst(int seq) {
        return new TcpSegment().flags(RST).seq(seq);
    }

    @Test
    void rstInWindowButNotAtRcvNxtGetsAChallengeAckAndIsOtherwiseIgnored() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int iss = handshake(peer);
            TcpConnection server = listener.accept();
            assertNotNull(server);
            ErrorLog se = new ErrorLog();
            server.handler(se);
            assertEquals(ESTABLISHED, server.state());

            // RFC 5961 3.2: in the window, not exactly RCV.NXT: challenge ACK, the connection stays.
            peer.send(last -> rst(RCV_NXT + 100))
                    .expect("challenge ACK", challengeAck(iss + 1))
                    .expectNothing(s(1))
                    .run();
            assertEquals(ESTABLISHED, server.state());
            assertEquals(1, h.b.stats().challengeAcksSent());
            // Right at the window's far edge - 1: still in the window.
            peer.send(last -> rst(RCV_NXT + 65534))
                    .expect("challenge ACK", challengeAck(iss + 1))
                    .run();
            assertEquals(ESTABLISHED, server.state());
            assertEquals(List.of(), se.errors);

            // The connection still works: data at RCV.NXT is taken.
            peer.send(last -> new TcpSegment().flags(ACK | PSH).seq(RCV_NXT).ack(iss + 1).window(65535)
                            .payload(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII)))
                    .expect("ACK of the data", seg -> seg.has(ACK) && seg.ack() == RCV_NXT + 2)
                    .run();
            assertEquals("hi", TwoHosts.readAll(server));

            // RFC 5961 3.2 / RFC 9293 3.10.7.4: a RST at exactly RCV.NXT resets.
            peer.send(last -> rst(RCV_NXT + 2)).expectNothing(s(1)).run();
            assertEquals(CLOSED, server.state());
            assertEquals(TcpError.RESET, server.failure());
            assertEquals(List.of(TcpError.RESET), se.errors);
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSED), h.statesOf(B, 80));
            assertEquals(TcpEvent.RCV_RST, Scenarios.lastTransitionOf(h, B, 80).event());
            assertEquals(2, h.b.stats().challengeAcksSent());
            peer.release();
            server.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.7.4 first check and RFC 5961 3.2: a RST outside the window is dropped without a reply. */
    @Test
    void rstOutsideTheWindowIsIgnoredSilently() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            handshake(peer);
            TcpConnection server = listener.accept();
            long dropped = h.b.stats().droppedByStateMachine();

            peer.send(last -> rst(RCV_NXT + 65535)) // the first sequence number beyond the window
                    .send(last -> rst(RCV_NXT + 1_000_000))
                    .send(last -> rst(RCV_NXT - 1)) // just below the window
                    .expectNothing(s(2))
                    .run();

            assertEquals(ESTABLISHED, server.state());
            assertEquals(0, h.b.stats().challengeAcksSent());
            assertEquals(0, h.b.stats().rstsSent());
            assertEquals(dropped + 3, h.b.stats().droppedByStateMachine());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED), h.statesOf(B, 80));
            peer.release();
            server.abort();
            listener.close();
        }
    }

    /** RFC 5961 4.2: a SYN in a synchronized state, wherever its SEQ, gets a challenge ACK; nothing else changes. */
    @Test
    void synInEstablishedGetsAChallengeAck() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int iss = handshake(peer);
            TcpConnection server = listener.accept();

            peer.send(last -> new TcpSegment().flags(SYN).seq(RCV_NXT + 10).window(65535)) // in the window
                    .expect("challenge ACK", challengeAck(iss + 1))
                    .send(last -> new TcpSegment().flags(SYN).seq(123_456_789).window(65535)) // far outside
                    .expect("challenge ACK", challengeAck(iss + 1))
                    .expectNothing(s(2))
                    .run();

            assertEquals(ESTABLISHED, server.state());
            // The in-window SYN is the challenge proper (counted, rate-limited); the one outside the
            // window already fails the first check, whose reply is the same ACK (RFC 9293 3.10.7.4).
            assertEquals(1, h.b.stats().challengeAcksSent());
            assertEquals(0, h.b.stats().rstsSent(), "RFC 5961 4.2: no RST, unlike RFC 793");
            assertEquals(1, h.b.connections().size(), "no second connection");
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED), h.statesOf(B, 80));
            peer.release();
            server.abort();
            listener.close();
        }
    }

    /** RFC 5961 5.2: an ACK of data never sent is answered with an ACK, and the segment (data included) is dropped. */
    @Test
    void ackOfUnsentDataIsAnsweredWithAnAckAndDropped() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int iss = handshake(peer);
            TcpConnection server = listener.accept();

            peer.send(last -> new TcpSegment().flags(ACK | PSH).seq(RCV_NXT).ack(iss + 1 + 5000).window(65535)
                            .payload(Unpooled.copiedBuffer("forged", StandardCharsets.US_ASCII)))
                    .expect("an ACK of the old RCV.NXT", challengeAck(iss + 1))
                    .run();

            assertEquals(ESTABLISHED, server.state());
            assertEquals(0, server.available(), "the data of an unacceptable ACK is not delivered");
            peer.release();
            server.abort();
            listener.close();
        }
    }

    /** RFC 5961 7: challenge ACKs are limited per second, stack-wide; the rest are counted as suppressed. */
    @Test
    void challengeAcksAreRateLimitedPerSecond() {
        TcpConfig config = TcpConfig.builder().challengeAckLimitPerSecond(2).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int iss = handshake(peer);
            TcpConnection server = listener.accept();

            for (int i = 1; i <= 4; i++) {
                int seq = RCV_NXT + 10 * i;
                peer.send(last -> rst(seq));
            }
            peer.send(last -> new TcpSegment().flags(SYN).seq(RCV_NXT + 50).window(65535)) // SYNs share the limit
                    .expect("challenge ACK 1", challengeAck(iss + 1))
                    .expect("challenge ACK 2", challengeAck(iss + 1))
                    .expectNothing(ms(500))
                    .run();
            assertEquals(2, h.b.stats().challengeAcksSent());
            assertEquals(3, h.b.stats().challengeAcksSuppressed());
            assertEquals(ESTABLISHED, server.state());

            // A second later the budget is back.
            peer.advance(ms(600))
                    .send(last -> rst(RCV_NXT + 10))
                    .expect("challenge ACK in the next second", challengeAck(iss + 1))
                    .run();
            assertEquals(3, h.b.stats().challengeAcksSent());
            assertEquals(3, h.b.stats().challengeAcksSuppressed());
            assertEquals(ESTABLISHED, server.state());
            peer.release();
            server.abort();
            listener.close();
        }
    }
}
