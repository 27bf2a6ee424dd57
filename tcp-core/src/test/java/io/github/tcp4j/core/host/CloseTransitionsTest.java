package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.CLOSE_WAIT;
import static io.github.tcp4j.core.fsm.TcpState.CLOSING;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_1;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.TcpState.LAST_ACK;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static io.github.tcp4j.core.fsm.TcpState.TIME_WAIT;
import static io.github.tcp4j.core.host.StackAndPeer.data;
import static io.github.tcp4j.core.host.StackAndPeer.flagsAre;
import static io.github.tcp4j.core.host.StackAndPeer.seg;
import static io.github.tcp4j.core.host.StackAndPeer.syn;
import static io.github.tcp4j.core.host.StackAndPeer.synAck;
import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.FIN;
import static io.github.tcp4j.core.wire.TcpFlags.PSH;
import static io.github.tcp4j.core.wire.TcpFlags.RST;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.host.WireRecorder.Seg;
import io.github.tcp4j.core.transport.PeerScript;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scenario tests for the CLOSE transitions of the state machine (RFC 9293 3.6, 3.10.4,
 * 3.10.7.4): the state sequence on both sides from the transition stream, and the segments on
 * the wire.
 */
class CloseTransitionsTest {

    /** The peer's ISS in the scripted handshakes. */
    private static final int PEER_ISS = 1000;

    /** A client a:40000 and a server b:80 with an established connection, and the recorder started before it. */
    private record Pair(TcpConnection client, TcpConnection server, TcpListener listener, WireRecorder wire) {
    }

    private static Pair establish(TwoHosts h) {
        WireRecorder w = WireRecorder.on(h);
        TcpListener listener = h.b.listen(null, 80, 4, false);
        TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
        h.run(Duration.ofMillis(100));
        TcpConnection server = listener.accept();
        assertNotNull(server);
        assertEquals(ESTABLISHED, client.state());
        assertEquals(ESTABLISHED, server.state());
        return new Pair(client, server, listener, w);
    }

    /** The stack at 10.0.0.1:40000 connects to the scripted peer at 10.0.0.2:80; the script completes the handshake. */
    private static TcpConnection scriptedHandshake(StackAndPeer t, PeerScript peer, ConnectionHandler handler) {
        TcpConnection c = t.stack.connect(null, 40000, StackAndPeer.PEER, 80, handler);
        int iss = c.iss();
        peer.expect("SYN", s -> flagsAre(s, SYN) && s.seq() == iss)
                .send(last -> synAck(PEER_ISS, iss + 1))
                .expect("ACK of the SYN,ACK", s -> flagsAre(s, ACK) && s.seq() == iss + 1 && s.ack() == PEER_ISS + 1)
                .run();
        assertEquals(ESTABLISHED, c.state());
        return c;
    }

    // =================================================================== the ordinary close

    @Test
    void activeCloseGoesThroughFinWait1FinWait2AndTimeWaitFor2Msl() {
        try (TwoHosts h = new TwoHosts()) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            int mark = p.wire().size();

            // RFC 9293 3.10.4: CLOSE in ESTABLISHED: FIN, FIN-WAIT-1.
            c.close();
            assertEquals(FIN_WAIT_1, c.state());
            List<Seg> fin = p.wire().since(mark);
            assertEquals(1, fin.size(), p.wire().dump());
            assertTrue(fin.get(0).flagsAre(FIN | ACK), p.wire().dump());
            assertEquals(c.iss() + 1, fin.get(0).seq());
            assertEquals(s.iss() + 1, fin.get(0).ack());

            h.run(Duration.ofMillis(15)); // the FIN reached b and was acknowledged; the ACK is on the way
            assertEquals(FIN_WAIT_1, c.state());
            assertEquals(CLOSE_WAIT, s.state());
            h.run(Duration.ofMillis(10));
            // 3.10.7.4 FIN-WAIT-1: once our FIN is acknowledged, FIN-WAIT-2.
            assertEquals(FIN_WAIT_2, c.state());
            Seg ackOfFin = p.wire().since(mark).get(1);
            assertTrue(ackOfFin.from().equals("b") && ackOfFin.flagsAre(ACK), p.wire().dump());
            assertEquals(c.iss() + 2, ackOfFin.ack(), "the FIN occupies one sequence number");

            assertEquals(-1, s.receive(Unpooled.buffer(8)));
            s.close();
            h.run(Duration.ofMillis(15)); // b's FIN reached a
            // 3.10.7.4 FIN-WAIT-2: the peer's FIN: ACK it, TIME-WAIT.
            assertEquals(TIME_WAIT, c.state());
            assertEquals(1, h.a.timeWaitCount());
            List<Seg> last = p.wire().since(mark);
            assertEquals(4, last.size(), p.wire().dump());
            assertTrue(last.get(2).from().equals("b") && last.get(2).flagsAre(FIN | ACK), p.wire().dump());
            assertEquals(s.iss() + 1, last.get(2).seq());
            assertEquals(c.iss() + 2, last.get(2).ack());
            assertTrue(last.get(3).from().equals("a") && last.get(3).flagsAre(ACK), p.wire().dump());
            assertEquals(c.iss() + 2, last.get(3).seq());
            assertEquals(s.iss() + 2, last.get(3).ack());

            // TIME-WAIT lasts 2MSL (default MSL 30 s, so 60 s) from the moment it was entered (3.10.7.4, 3.10.8).
            long enteredAt = recordOf(h.transitions, "10.0.0.1:40000 ", TIME_WAIT).timeNanos();
            h.net.advanceTo(enteredAt + Duration.ofSeconds(60).toNanos() - Duration.ofMillis(1).toNanos());
            assertEquals(TIME_WAIT, c.state());
            assertEquals(1, h.a.timeWaitCount());
            h.run(Duration.ofMillis(2));
            assertEquals(CLOSED, c.state());
            assertEquals(0, h.a.timeWaitCount());
            assertEquals(4, p.wire().since(mark).size(), "nothing is sent in TIME-WAIT: " + p.wire().dump());

            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED),
                    h.statesOf(TwoHosts.A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), h.statesOf(TwoHosts.B, 80));
            assertEquals(TcpEvent.TIME_WAIT_EXPIRED, recordOf(h.transitions, "10.0.0.1:40000 ", CLOSED).event());
            p.listener().close();
        }
    }

    @Test
    void passiveCloseGoesThroughCloseWaitAndLastAck() {
        // The client's orphaned FIN-WAIT-2 must outlive the 5 minutes the server spends in CLOSE-WAIT.
        try (TwoHosts h = new TwoHosts(io.github.tcp4j.core.conn.TcpConfig.builder()
                .finWait2Timeout(Duration.ofMinutes(10)).build())) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            c.close();
            h.run(Duration.ofMillis(50));
            // RFC 9293 3.10.7.4 ESTABLISHED: a FIN: ACK it, CLOSE-WAIT; receive then reports end of stream.
            assertEquals(CLOSE_WAIT, s.state());
            assertTrue(s.finReceived());
            assertEquals(-1, s.receive(Unpooled.buffer(8)));

            // CLOSE-WAIT lasts as long as the application wants: no timer ends it, nothing is sent.
            int quiet = p.wire().size();
            h.run(Duration.ofMinutes(5));
            assertEquals(CLOSE_WAIT, s.state());
            assertEquals(quiet, p.wire().size(), p.wire().dump());

            // 3.10.4 CLOSE in CLOSE-WAIT: FIN, LAST-ACK.
            s.close();
            assertEquals(LAST_ACK, s.state());
            List<Seg> fin = p.wire().since(quiet);
            assertEquals(1, fin.size(), p.wire().dump());
            assertTrue(fin.get(0).from().equals("b") && fin.get(0).flagsAre(FIN | ACK), p.wire().dump());
            assertEquals(s.iss() + 1, fin.get(0).seq());
            assertEquals(c.iss() + 2, fin.get(0).ack(), "acknowledges the client's FIN");

            h.run(Duration.ofMillis(15));
            assertEquals(LAST_ACK, s.state(), "the ACK of b's FIN is on its way");
            h.run(Duration.ofMillis(10));
            // 3.10.7.4 LAST-ACK: the ACK of our FIN: CLOSED, the TCB is deleted (no TIME-WAIT on this side).
            assertEquals(CLOSED, s.state());
            assertTrue(h.b.connections().isEmpty(), h.b.connections().toString());
            assertEquals(0, h.b.timeWaitCount());
            Seg ack = p.wire().since(quiet).get(1);
            assertTrue(ack.from().equals("a") && ack.flagsAre(ACK), p.wire().dump());
            assertEquals(s.iss() + 2, ack.ack());

            List<TransitionRecord> server = h.transitions.stream().filter(r -> r.connection().startsWith("10.0.0.2:80 ")).toList();
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), server.stream().map(TransitionRecord::to).toList());
            assertEquals(TcpEvent.RCV_FIN, server.get(2).event());
            assertEquals(TcpEvent.CLOSE, server.get(3).event());
            assertEquals(TcpEvent.RCV_ACK_OF_FIN, server.get(4).event());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT), h.statesOf(TwoHosts.A, 40000));
            p.listener().close();
        }
    }

    @Test
    void simultaneousCloseGoesThroughClosingToTimeWaitOnBothSides() {
        try (TwoHosts h = new TwoHosts()) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            int mark = p.wire().size();
            c.close();
            s.close();
            assertEquals(FIN_WAIT_1, c.state());
            assertEquals(FIN_WAIT_1, s.state());
            h.run(Duration.ofMillis(15));
            // RFC 9293 3.10.7.4 FIN-WAIT-1: a FIN that does not acknowledge ours: ACK it, CLOSING.
            assertEquals(CLOSING, c.state());
            assertEquals(CLOSING, s.state());
            h.run(Duration.ofMillis(10));
            // 3.10.7.4 CLOSING: the ACK of our FIN: TIME-WAIT (on both sides: each closed actively).
            assertEquals(TIME_WAIT, c.state());
            assertEquals(TIME_WAIT, s.state());
            assertEquals(1, h.a.timeWaitCount());
            assertEquals(1, h.b.timeWaitCount());

            List<Seg> segs = p.wire().since(mark);
            assertEquals(4, segs.size(), p.wire().dump());
            for (String side : List.of("a", "b")) {
                TcpConnection me = side.equals("a") ? c : s;
                TcpConnection other = side.equals("a") ? s : c;
                List<Seg> mine = p.wire().from(side, mark);
                assertEquals(2, mine.size(), p.wire().dump());
                assertTrue(mine.get(0).flagsAre(FIN | ACK), p.wire().dump());
                assertEquals(me.iss() + 1, mine.get(0).seq());
                assertEquals(other.iss() + 1, mine.get(0).ack(), "the FINs cross: neither acknowledges the other");
                assertTrue(mine.get(1).flagsAre(ACK), p.wire().dump());
                assertEquals(me.iss() + 2, mine.get(1).seq());
                assertEquals(other.iss() + 2, mine.get(1).ack());
            }

            h.run(Duration.ofSeconds(61));
            assertEquals(CLOSED, c.state());
            assertEquals(CLOSED, s.state());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, CLOSING, TIME_WAIT, CLOSED), h.statesOf(TwoHosts.A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, CLOSING, TIME_WAIT, CLOSED),
                    h.statesOf(TwoHosts.B, 80));
            p.listener().close();
        }
    }

    @Test
    void aFinThatAlsoAcknowledgesOursGoesFromFinWait1StraightToTimeWait() {
        try (StackAndPeer t = new StackAndPeer()) {
            PeerScript peer = t.script(80, 40000);
            TcpConnection c = scriptedHandshake(t, peer, ConnectionHandler.NONE);
            int iss = c.iss();
            peer.then(c::close)
                    .expect("FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == iss + 1 && s.ack() == PEER_ISS + 1)
                    // One segment: the peer's FIN, acknowledging ours (ACK = our FIN's SEQ + 1).
                    .send(last -> seg(FIN | ACK, PEER_ISS + 1, iss + 2))
                    // RFC 9293 3.10.7.4 FIN-WAIT-1: "if our FIN has been ACKed ... enter TIME-WAIT".
                    .expect("ACK of the FIN", s -> flagsAre(s, ACK) && s.seq() == iss + 2 && s.ack() == PEER_ISS + 2)
                    .then(() -> assertEquals(TIME_WAIT, c.state()))
                    // TIME-WAIT: a retransmitted FIN is acknowledged again (3.10.7.4).
                    .advance(Duration.ofSeconds(1))
                    .send(last -> seg(FIN | ACK, PEER_ISS + 1, iss + 2))
                    .expect("ACK of the FIN again", s -> flagsAre(s, ACK) && s.seq() == iss + 2 && s.ack() == PEER_ISS + 2)
                    .expectNothing(Duration.ofSeconds(30));
            peer.run();
            assertEquals(TIME_WAIT, c.state());
            assertEquals(1, t.stack.timeWaitCount());
            List<TransitionRecord> rs = t.recordsOf(40000);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, TIME_WAIT), rs.stream().map(TransitionRecord::to).toList());
            assertEquals(TcpEvent.RCV_FIN_ACK_OF_FIN, rs.get(3).event());

            t.net.advance(Duration.ofSeconds(61));
            assertEquals(CLOSED, c.state());
            assertEquals(0, t.stack.timeWaitCount());
        }
    }

    @Test
    void closeInSynReceivedGoesToFinWait1AndTheFinFollows() {
        try (StackAndPeer t = new StackAndPeer()) {
            TcpConnection c = t.stack.connect(null, 40000, StackAndPeer.PEER, 80, ConnectionHandler.NONE);
            int iss = c.iss();
            PeerScript peer = t.script(80, 40000)
                    .expect("SYN", s -> flagsAre(s, SYN) && s.seq() == iss)
                    .send(last -> syn(PEER_ISS)) // simultaneous open
                    .expect("SYN,ACK", s -> flagsAre(s, SYN | ACK) && s.seq() == iss && s.ack() == PEER_ISS + 1)
                    .then(() -> {
                        assertEquals(SYN_RECEIVED, c.state());
                        // RFC 9293 3.10.4 CLOSE in SYN-RECEIVED: FIN-WAIT-1.
                        c.close();
                        assertEquals(FIN_WAIT_1, c.state());
                    })
                    // The peer completes the handshake: ACK of the stack's SYN.
                    .send(last -> seg(ACK, PEER_ISS + 1, iss + 1))
                    .expect("FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == iss + 1 && s.ack() == PEER_ISS + 1)
                    .send(last -> seg(ACK, PEER_ISS + 1, iss + 2))
                    .advance(Duration.ofMillis(50))
                    .then(() -> assertEquals(FIN_WAIT_2, c.state()))
                    .send(last -> seg(FIN | ACK, PEER_ISS + 1, iss + 2))
                    .expect("ACK of the FIN", s -> flagsAre(s, ACK) && s.seq() == iss + 2 && s.ack() == PEER_ISS + 2);
            peer.run();
            assertEquals(TIME_WAIT, c.state());
            assertEquals(List.of(SYN_SENT, SYN_RECEIVED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT), t.statesOf(40000));
            assertTrue(t.wire.from("stack").stream().noneMatch(s -> s.has(RST)), t.wire.dump());
        }
    }

    @Test
    void closeInSynReceivedSendsTheFinAtOnce() {
        try (StackAndPeer t = new StackAndPeer()) {
            TcpConnection c = t.stack.connect(null, 40000, StackAndPeer.PEER, 80, ConnectionHandler.NONE);
            int iss = c.iss();
            PeerScript peer = t.script(80, 40000)
                    .expect("SYN", s -> flagsAre(s, SYN) && s.seq() == iss)
                    .send(last -> syn(PEER_ISS))
                    .expect("SYN,ACK", s -> flagsAre(s, SYN | ACK) && s.seq() == iss)
                    .then(c::close)
                    // RFC 9293 3.10.4 CLOSE in SYN-RECEIVED: "If no SENDs have been issued and there is no
                    // pending data to send, then form a FIN segment and send it, and enter FIN-WAIT-1 state"
                    // (TcpState.SYN_RECEIVED's documentation says the same).
                    .expect("FIN at once", s -> flagsAre(s, FIN | ACK) && s.seq() == iss + 1 && s.ack() == PEER_ISS + 1,
                            Duration.ofMillis(500));
            peer.run();
            assertEquals(FIN_WAIT_1, c.state());
        }
    }

    // =================================================================== FINs and data

    @Test
    void aFinWithDataDeliversTheDataThenEndOfStream() {
        try (StackAndPeer t = new StackAndPeer()) {
            PeerScript peer = t.script(80, 40000);
            TcpConnection c = scriptedHandshake(t, peer, ConnectionHandler.NONE);
            int iss = c.iss();
            peer.send(last -> data(FIN | ACK | PSH, PEER_ISS + 1, iss + 1, "bye"))
                    // RFC 9293 3.10.7.4 eighth: the FIN is acknowledged with the data: ACK = SEQ + 3 + 1.
                    .expect("ACK of data and FIN", s -> flagsAre(s, ACK) && s.ack() == PEER_ISS + 1 + 3 + 1)
                    .expectNothing(Duration.ofSeconds(1));
            peer.run();
            assertEquals(CLOSE_WAIT, c.state());
            assertTrue(c.finReceived());
            assertEquals(3, c.available());
            ByteBuf buf = Unpooled.buffer(16);
            try {
                assertEquals(3, c.receive(buf));
                assertEquals("bye", buf.toString(StandardCharsets.UTF_8));
                buf.clear();
                assertEquals(-1, c.receive(buf), "end of stream after the data (3.10.3)");
                assertEquals(-1, c.receive(buf), "and again");
            } finally {
                buf.release();
            }
            List<TransitionRecord> rs = t.recordsOf(40000);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSE_WAIT), rs.stream().map(TransitionRecord::to).toList());
            assertEquals(TcpEvent.RCV_FIN, rs.get(2).event());
            c.close();
            peer.expect("FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == iss + 1 && s.ack() == PEER_ISS + 5)
                    .send(last -> seg(ACK, PEER_ISS + 5, iss + 2))
                    .advance(Duration.ofMillis(50))
                    .run();
            assertEquals(CLOSED, c.state());
        }
    }

    @Test
    void aFinAheadOfMissingDataWaitsUntilTheGapFills() {
        try (StackAndPeer t = new StackAndPeer()) {
            PeerScript peer = t.script(80, 40000);
            TcpConnection c = scriptedHandshake(t, peer, ConnectionHandler.NONE);
            int iss = c.iss();
            int s0 = PEER_ISS + 1;
            // The segment with "world" and FIN comes first; "hello" before it is missing.
            peer.send(last -> data(FIN | ACK | PSH, s0 + 5, iss + 1, "world"))
                    // RFC 9293 3.10.7.4: an out-of-order segment is acknowledged with RCV.NXT (a duplicate ACK).
                    .expect("ACK of RCV.NXT", s -> flagsAre(s, ACK) && s.ack() == s0)
                    .advance(Duration.ofSeconds(2))
                    .then(() -> {
                        // The FIN is not in sequence yet: it is not processed (3.10.7.4 eighth).
                        assertEquals(ESTABLISHED, c.state());
                        assertFalse(c.finReceived());
                        assertEquals(0, c.available());
                        ByteBuf probe = Unpooled.buffer(16);
                        try {
                            assertEquals(0, c.receive(probe), "nothing in order yet, and not the end");
                        } finally {
                            probe.release();
                        }
                    })
                    .send(last -> data(ACK | PSH, s0, iss + 1, "hello"))
                    // The gap filled: data and FIN acknowledged together.
                    .expect("ACK of everything and the FIN", s -> flagsAre(s, ACK) && s.ack() == s0 + 10 + 1)
                    .expectNothing(Duration.ofSeconds(1));
            peer.run();
            assertEquals(CLOSE_WAIT, c.state());
            assertEquals("helloworld", TwoHosts.readAll(c));
            assertEquals(-1, c.receive(Unpooled.buffer(0)));
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSE_WAIT), t.statesOf(40000));
            c.close();
            peer.expect("FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == iss + 1 && s.ack() == s0 + 11)
                    .send(last -> seg(ACK, s0 + 11, iss + 2))
                    .advance(Duration.ofMillis(50))
                    .run();
            assertEquals(CLOSED, c.state());
        }
    }

    @Test
    void receiveReturnsMinusOneOnlyAfterTheBufferedDataIsRead() {
        try (TwoHosts h = new TwoHosts()) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            TwoHosts.write(s, "abc");
            s.close();
            h.run(Duration.ofMillis(50));
            assertEquals(CLOSE_WAIT, c.state());
            assertTrue(c.finReceived());
            assertEquals(3, c.available());
            ByteBuf two = Unpooled.buffer(2, 2);
            try {
                // RFC 9293 3.10.3: in CLOSE-WAIT, receive returns what is buffered, then "connection closing".
                assertEquals(2, c.receive(two));
                assertEquals("ab", two.toString(StandardCharsets.UTF_8));
                two.clear();
                assertEquals(1, c.receive(two));
                assertEquals("c", two.toString(StandardCharsets.UTF_8));
                two.clear();
                assertEquals(-1, c.receive(two));
                assertEquals(-1, c.receive(two));
            } finally {
                two.release();
            }
            c.close();
            h.run(Duration.ofMillis(50));
            assertEquals(CLOSED, c.state());
            assertEquals(TIME_WAIT, s.state());
            p.listener().close();
        }
    }

    // =================================================================== half-close

    @Test
    void shutdownOutputInEstablishedSendsFinAndTheReadingGoesOn() {
        try (TwoHosts h = new TwoHosts(io.github.tcp4j.core.conn.TcpConfig.builder()
                .finWait2Timeout(Duration.ofSeconds(10)).build())) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            int mark = p.wire().size();
            c.shutdownOutput();
            assertEquals(FIN_WAIT_1, c.state());
            Seg fin = p.wire().since(mark).get(0);
            assertTrue(fin.from().equals("a") && fin.flagsAre(FIN | ACK), p.wire().dump());
            assertEquals(c.iss() + 1, fin.seq());
            TcpException e = assertThrows(TcpException.class, () -> TwoHosts.write(c, "more"));
            assertEquals(TcpError.CLOSING, e.error(), "no data after our FIN (3.10.2)");
            c.shutdownOutput(); // again: harmless, no second FIN
            h.run(Duration.ofMillis(50));
            assertEquals(FIN_WAIT_2, c.state());
            assertEquals(CLOSE_WAIT, s.state());
            assertEquals(-1, s.receive(Unpooled.buffer(0)));

            // The peer may still send; we read it (3.10.7.4 FIN-WAIT-2: "process the segment text").
            TwoHosts.write(s, "still talking");
            h.run(Duration.ofMillis(50));
            assertEquals("still talking", TwoHosts.readAll(c));
            assertEquals(FIN_WAIT_2, c.state());

            // Not orphaned (the application did not close): the FIN-WAIT-2 timeout does not apply.
            h.run(Duration.ofSeconds(30));
            assertEquals(FIN_WAIT_2, c.state());
            TwoHosts.write(s, " and done");
            s.close();
            h.run(Duration.ofMillis(50));
            assertEquals(TIME_WAIT, c.state());
            assertEquals(" and done", TwoHosts.readAll(c));
            assertEquals(-1, c.receive(Unpooled.buffer(0)));
            assertEquals(CLOSED, s.state());

            assertEquals(1, p.wire().from("a", mark).stream().filter(x -> x.has(FIN)).count(), p.wire().dump());
            assertTrue(p.wire().all().stream().noneMatch(x -> x.has(RST)), p.wire().dump());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT), h.statesOf(TwoHosts.A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), h.statesOf(TwoHosts.B, 80));
            assertEquals(TcpEvent.SHUTDOWN_OUTPUT, recordOf(h.transitions, "10.0.0.1:40000 ", FIN_WAIT_1).event());
            c.close();
            p.listener().close();
        }
    }

    @Test
    void shutdownOutputInSynSentIsQueuedAndTheFinFollowsTheHandshake() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            TcpListener listener = h.b.listen(null, 80, 4, false);
            TcpConnection c = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            TwoHosts.write(c, "early");
            c.shutdownOutput();
            // Queued: no transition, no FIN before the connection is established.
            assertEquals(SYN_SENT, c.state());
            assertEquals(1, w.size(), w.dump());
            h.run(Duration.ofMillis(15));
            assertEquals(SYN_SENT, c.state());
            assertEquals(1, w.from("a").size(), w.dump());

            h.run(Duration.ofMillis(100));
            TcpConnection s = listener.accept();
            assertNotNull(s);
            assertEquals(FIN_WAIT_2, c.state());
            assertEquals(CLOSE_WAIT, s.state());
            assertEquals("early", TwoHosts.readAll(s));
            assertEquals(-1, s.receive(Unpooled.buffer(0)));

            // The FIN comes after the SYN,ACK and after the queued data: SEQ = ISS + 1 + 5.
            List<Seg> all = w.all();
            int synAck = -1;
            int finAt = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).from().equals("b") && all.get(i).flagsAre(SYN | ACK)) {
                    synAck = i;
                }
                if (all.get(i).from().equals("a") && all.get(i).has(FIN) && finAt < 0) {
                    finAt = i;
                }
            }
            assertTrue(synAck >= 0 && finAt > synAck, w.dump());
            assertEquals(c.iss() + 1 + 5, all.get(finAt).seq() + all.get(finAt).len(), w.dump());
            assertEquals(1, all.stream().filter(x -> x.from().equals("a") && x.has(FIN)).count(), w.dump());

            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2), h.statesOf(TwoHosts.A, 40000));
            assertEquals(TcpEvent.SHUTDOWN_OUTPUT, recordOf(h.transitions, "10.0.0.1:40000 ", FIN_WAIT_1).event());

            // Reading goes on: the server answers and closes.
            TwoHosts.write(s, "reply");
            s.close();
            h.run(Duration.ofMillis(50));
            assertEquals("reply", TwoHosts.readAll(c));
            assertEquals(-1, c.receive(Unpooled.buffer(0)));
            assertEquals(TIME_WAIT, c.state());
            c.close();
            listener.close();
        }
    }

    @Test
    void sendAfterShutdownOutputInSynSentFailsWithClosing() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            TcpListener listener = h.b.listen(null, 80, 4, false);
            TcpConnection c = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            c.shutdownOutput();
            // TcpConnection.send: "CLOSING after shutdownOutput or close" (RFC 9293 3.10.2: no data after our FIN).
            TcpException e = assertThrows(TcpException.class, () -> TwoHosts.write(c, "late"));
            assertEquals(TcpError.CLOSING, e.error());
            assertEquals(0, c.sendQueued());
            h.run(Duration.ofMillis(100));
            TcpConnection s = listener.accept();
            assertNotNull(s);
            assertEquals("", TwoHosts.readAll(s), "no data may follow the shutdown: " + w.dump());
            assertEquals(-1, s.receive(Unpooled.buffer(0)));
            c.close();
            s.close();
            listener.close();
            h.run(Duration.ofMillis(100));
        }
    }

    @Test
    void shutdownOutputInCloseWaitGoesToLastAck() {
        try (TwoHosts h = new TwoHosts()) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            c.shutdownOutput();
            h.run(Duration.ofMillis(50));
            assertEquals(CLOSE_WAIT, s.state());
            int mark = p.wire().size();
            // 3.10.4: our FIN in CLOSE-WAIT (here by a half-close): LAST-ACK.
            s.shutdownOutput();
            assertEquals(LAST_ACK, s.state());
            Seg fin = p.wire().since(mark).get(0);
            assertTrue(fin.from().equals("b") && fin.flagsAre(FIN | ACK), p.wire().dump());
            assertEquals(s.iss() + 1, fin.seq());
            TcpException e = assertThrows(TcpException.class, () -> TwoHosts.write(s, "x"));
            assertEquals(TcpError.CLOSING, e.error());
            h.run(Duration.ofMillis(50));
            assertEquals(CLOSED, s.state());
            assertEquals(TIME_WAIT, c.state());
            assertEquals(-1, s.receive(Unpooled.buffer(0)), "the stream ended; the connection is gone");
            assertEquals(-1, c.receive(Unpooled.buffer(0)));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), h.statesOf(TwoHosts.B, 80));
            s.close();
            c.close();
            p.listener().close();
        }
    }

    // =================================================================== close twice

    @Test
    void aSecondCloseIsHarmless() {
        try (TwoHosts h = new TwoHosts()) {
            Pair p = establish(h);
            TcpConnection c = p.client();
            TcpConnection s = p.server();
            int mark = p.wire().size();
            c.close();
            assertDoesNotThrow(c::close);
            assertEquals(FIN_WAIT_1, c.state());
            assertEquals(1, p.wire().since(mark).size(), "one FIN only: " + p.wire().dump());
            h.run(Duration.ofMillis(50));
            assertDoesNotThrow(c::close);
            assertEquals(FIN_WAIT_2, c.state());
            s.close();
            assertDoesNotThrow(s::close);
            h.run(Duration.ofMillis(50));
            assertEquals(TIME_WAIT, c.state());
            assertEquals(CLOSED, s.state());
            assertDoesNotThrow(c::close);
            assertDoesNotThrow(s::close);
            h.run(Duration.ofSeconds(61));
            assertDoesNotThrow(c::close);
            assertEquals(CLOSED, c.state());

            List<Seg> after = p.wire().since(mark);
            assertEquals(1, after.stream().filter(x -> x.from().equals("a") && x.has(FIN)).count(), p.wire().dump());
            assertEquals(1, after.stream().filter(x -> x.from().equals("b") && x.has(FIN)).count(), p.wire().dump());
            assertTrue(after.stream().noneMatch(x -> x.has(RST)), p.wire().dump());
            assertEquals(4, after.size(), p.wire().dump());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED), h.statesOf(TwoHosts.A, 40000));

            p.listener().close();
            assertDoesNotThrow(p.listener()::close);
            assertEquals(CLOSED, p.listener().state());
        }
    }

    // =================================================================== helpers

    /** The first transition into {@code to} of the connections whose tuple starts with {@code prefix}. */
    private static TransitionRecord recordOf(List<TransitionRecord> rs, String prefix, TcpState to) {
        return rs.stream().filter(r -> r.connection().startsWith(prefix) && r.to() == to).findFirst()
                .orElseThrow(() -> new AssertionError("no transition to " + to + " in " + rs));
    }
}
