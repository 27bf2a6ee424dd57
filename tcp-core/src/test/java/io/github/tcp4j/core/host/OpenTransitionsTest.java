package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.LISTEN;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static io.github.tcp4j.core.host.StackAndPeer.flagsAre;
import static io.github.tcp4j.core.host.StackAndPeer.seg;
import static io.github.tcp4j.core.host.StackAndPeer.syn;
import static io.github.tcp4j.core.host.StackAndPeer.synAck;
import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.RST;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.host.WireRecorder.Seg;
import io.github.tcp4j.core.transport.PeerScript;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scenario tests for the OPEN transitions of the state machine (RFC 9293 3.5, 3.10.1, 3.10.7.2-4):
 * the state sequence on both sides from the transition stream, and the segments on the wire.
 */
class OpenTransitionsTest {

    // =================================================================== active and passive open

    @Test
    void activeOpenIsAThreeWayHandshake() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            Events client = new Events();
            TcpConnection c = h.a.connect(null, 40000, TwoHosts.B, 80, client);

            // RFC 9293 3.10.1: an active OPEN sends <SEQ=ISS><CTL=SYN> at once and enters SYN-SENT.
            assertEquals(SYN_SENT, c.state());
            assertEquals(1, w.size());
            Seg s0 = w.all().get(0);
            assertTrue(s0.flagsAre(SYN), w.dump());
            assertEquals(c.iss(), s0.seq());
            assertEquals(40000, s0.srcPort());
            assertEquals(80, s0.dstPort());

            h.run(Duration.ofMillis(15)); // the SYN reached b, its SYN,ACK is on the way
            assertEquals(SYN_SENT, c.state());
            assertEquals(1, listener.synQueueLength());
            h.run(Duration.ofMillis(10)); // 25 ms: the SYN,ACK reached a, its ACK is on the way
            assertEquals(ESTABLISHED, c.state());
            assertEquals(1, client.connected);
            assertNull(listener.accept(), "b's connection is still SYN-RECEIVED");
            h.run(Duration.ofMillis(10)); // 35 ms
            TcpConnection s = listener.accept();
            assertNotNull(s);
            assertEquals(ESTABLISHED, s.state());

            // RFC 9293 3.5 figure 6: SYN, SYN,ACK acknowledging ISS+1, ACK acknowledging the peer's ISS+1.
            List<Seg> segs = w.all();
            assertEquals(3, segs.size(), w.dump());
            assertTrue(segs.get(1).from().equals("b") && segs.get(1).flagsAre(SYN | ACK), w.dump());
            assertEquals(s.iss(), segs.get(1).seq());
            assertEquals(c.iss() + 1, segs.get(1).ack());
            assertTrue(segs.get(2).from().equals("a") && segs.get(2).flagsAre(ACK), w.dump());
            assertEquals(c.iss() + 1, segs.get(2).seq());
            assertEquals(s.iss() + 1, segs.get(2).ack());
            assertEquals(0, segs.get(2).len());

            assertEquals(List.of(SYN_SENT, ESTABLISHED), h.statesOf(TwoHosts.A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED), h.statesOf(TwoHosts.B, 80));
            List<TransitionRecord> ra = h.transitions.stream()
                    .filter(t -> t.connection().startsWith("10.0.0.1:40000 ")).toList();
            assertEquals(TcpEvent.CONNECT, ra.get(0).event());
            assertEquals(CLOSED, ra.get(0).from());
            assertEquals(TcpEvent.RCV_SYN_ACK, ra.get(1).event());

            c.close();
            s.close();
            listener.close();
            h.run(Duration.ofMillis(100));
        }
    }

    @Test
    void passiveOpenAnswersAHandMadeSynAndHandsTheConnectionToAccept() {
        try (StackAndPeer t = new StackAndPeer()) {
            TcpListener listener = t.stack.listen(null, 80, 4, false);
            int[] acceptable = new int[1];
            listener.handler(l -> acceptable[0]++);
            assertEquals(LISTEN, listener.state());
            int[] iss = new int[1];

            PeerScript peer = t.script(40000, 80)
                    .send(last -> syn(1000))
                    // RFC 9293 3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ + 1.
                    .expect("SYN,ACK acknowledging 1001", s -> {
                        iss[0] = s.seq();
                        return flagsAre(s, SYN | ACK) && s.ack() == 1001;
                    })
                    .then(() -> {
                        assertEquals(1, listener.synQueueLength());
                        assertNull(listener.accept(), "not established yet");
                        assertEquals(0, acceptable[0]);
                    })
                    .send(last -> seg(ACK, 1001, last.seq() + 1))
                    .expectNothing(Duration.ofSeconds(5)); // no SYN,ACK retransmission once acknowledged
            peer.run();

            assertEquals(LISTEN, listener.state(), "the listener itself never leaves LISTEN");
            assertEquals(1, acceptable[0]);
            assertEquals(0, listener.synQueueLength());
            assertEquals(1, listener.acceptQueueLength());
            TcpConnection c = listener.accept();
            assertNotNull(c);
            assertEquals(ESTABLISHED, c.state());
            assertEquals(iss[0], c.iss());
            assertEquals(StackAndPeer.PEER, c.remoteAddress());
            assertEquals(40000, c.remotePort());

            List<TransitionRecord> child = t.transitions.stream()
                    .filter(r -> r.connection().equals("10.0.0.1:80 > 10.0.0.2:40000")).toList();
            assertEquals(2, child.size(), t.transitions.toString());
            assertEquals(LISTEN, child.get(0).from(), "a connection starts as a copy of the listener");
            assertEquals(SYN_RECEIVED, child.get(0).to());
            assertEquals(TcpEvent.RCV_SYN, child.get(0).event());
            assertEquals(ESTABLISHED, child.get(1).to());
            assertEquals(TcpEvent.RCV_ACK, child.get(1).event());
            assertEquals(List.of(LISTEN), t.statesOf("*:80 > *:*"));
            assertEquals(1, t.wire.from("stack").size(), "the stack sent only the SYN,ACK: " + t.wire.dump());

            c.abort();
            listener.close();
        }
    }

    @Test
    void simultaneousOpenGoesThroughSynReceivedOnBothSides() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            Events ea = new Events();
            Events eb = new Events();
            // Both ends connect to each other with fixed ports at the same instant: the SYNs cross.
            TcpConnection a = h.a.connect(null, 40000, TwoHosts.B, 50000, ea);
            TcpConnection b = h.b.connect(null, 50000, TwoHosts.A, 40000, eb);
            h.run(Duration.ofMillis(15));
            // RFC 9293 3.10.7.3: a SYN without ACK in SYN-SENT: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
            assertEquals(SYN_RECEIVED, a.state());
            assertEquals(SYN_RECEIVED, b.state());
            h.run(Duration.ofMillis(100));
            assertEquals(ESTABLISHED, a.state());
            assertEquals(ESTABLISHED, b.state());
            assertEquals(1, ea.connected);
            assertEquals(1, eb.connected);

            assertEquals(List.of(SYN_SENT, SYN_RECEIVED, ESTABLISHED), h.statesOf(TwoHosts.A, 40000));
            assertEquals(List.of(SYN_SENT, SYN_RECEIVED, ESTABLISHED), h.statesOf(TwoHosts.B, 50000));

            for (String side : List.of("a", "b")) {
                List<Seg> mine = w.from(side);
                TcpConnection me = side.equals("a") ? a : b;
                TcpConnection other = side.equals("a") ? b : a;
                Seg synSeg = mine.get(0);
                assertTrue(synSeg.flagsAre(SYN), w.dump());
                Seg synAckSeg = mine.stream().filter(s -> s.flagsAre(SYN | ACK)).findFirst().orElseThrow(() -> new AssertionError(w.dump()));
                // The SYN,ACK carries the same ISS as the SYN (RFC 9293 3.10.7.3, figure 8).
                assertEquals(synSeg.seq(), synAckSeg.seq(), w.dump());
                assertEquals(me.iss(), synAckSeg.seq());
                assertEquals(other.iss() + 1, synAckSeg.ack());
                assertEquals(1, mine.stream().filter(s -> s.has(SYN)).count() - 1, "one SYN and one SYN,ACK: " + w.dump());
            }
            assertTrue(w.all().stream().noneMatch(s -> s.has(RST)), w.dump());

            // The connection works: data flows both ways.
            TwoHosts.write(a, "ping");
            TwoHosts.write(b, "pong");
            h.run(Duration.ofMillis(50));
            assertEquals("ping", TwoHosts.readAll(b));
            assertEquals("pong", TwoHosts.readAll(a));

            a.close();
            b.close();
            h.run(Duration.ofMillis(100));
        }
    }

    // =================================================================== a listener turned active

    @Test
    void listenThenSendTurnsTheListenerActiveAndTheDataFollowsTheHandshake() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            TcpListener server = h.b.listen(null, 80, 4, false);
            TcpListener l = h.a.listen(TwoHosts.A, 5000, 4, false);
            Events ea = new Events();
            ByteBuf early = TwoHosts.text("early");
            TcpConnection c;
            try {
                // RFC 9293 3.10.2: SEND in LISTEN with a foreign socket: SYN, SYN-SENT, the data queued.
                c = l.send(TwoHosts.B, 80, early, ea);
            } finally {
                early.release();
            }
            assertEquals(SYN_SENT, c.state());
            assertEquals(5, c.sendQueued(), "the data waits in the send buffer");
            assertEquals(1, w.size());
            Seg synSeg = w.all().get(0);
            assertTrue(synSeg.flagsAre(SYN), w.dump());
            assertEquals(0, synSeg.len(), "no data in the SYN");
            assertEquals(5000, synSeg.srcPort());
            assertEquals(c.iss(), synSeg.seq());

            h.run(Duration.ofMillis(100));
            assertEquals(ESTABLISHED, c.state(), w.dump());
            assertEquals(1, ea.connected);
            TcpConnection s = server.accept();
            assertNotNull(s);
            assertEquals("early", TwoHosts.readAll(s));

            // The data goes out only after the SYN,ACK: SEQ = ISS + 1.
            List<Seg> all = w.all();
            int synAckAt = indexOf(all, "b", SYN | ACK);
            int dataAt = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).from().equals("a") && all.get(i).len() > 0) {
                    dataAt = i;
                    break;
                }
            }
            assertTrue(synAckAt >= 0 && dataAt > synAckAt, w.dump());
            assertEquals(c.iss() + 1, all.get(dataAt).seq());
            assertEquals("early", all.get(dataAt).text());

            assertEquals(List.of(LISTEN, SYN_SENT, ESTABLISHED), h.statesOf(TwoHosts.A, 5000));
            assertTrue(w.all().stream().noneMatch(x -> x.has(RST)), w.dump());

            c.close();
            s.close();
            server.close();
            l.close();
            h.run(Duration.ofMillis(100));
        }
    }

    @Test
    void listenThenConnectTurnsTheListenerActive() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            TcpListener server = h.b.listen(null, 80, 4, false);
            TcpListener l = h.a.listen(TwoHosts.A, 5000, 4, false);
            Events ea = new Events();
            // RFC 9293 3.10.1: OPEN (active) in LISTEN: send SYN, enter SYN-SENT.
            TcpConnection c = l.connect(TwoHosts.B, 80, ea);
            assertEquals(SYN_SENT, c.state());
            assertEquals(1, w.size());
            assertTrue(w.all().get(0).flagsAre(SYN));
            assertEquals(5000, w.all().get(0).srcPort());
            assertEquals(c.iss(), w.all().get(0).seq());

            h.run(Duration.ofMillis(100));
            assertEquals(ESTABLISHED, c.state(), w.dump());
            assertEquals(1, ea.connected);
            TcpConnection s = server.accept();
            assertNotNull(s);
            assertEquals(5000, s.remotePort());
            assertEquals(List.of(LISTEN, SYN_SENT, ESTABLISHED), h.statesOf(TwoHosts.A, 5000));
            assertEquals(3, w.size(), w.dump());
            assertTrue(w.all().stream().noneMatch(x -> x.has(RST)), w.dump());

            TwoHosts.write(s, "hi");
            h.run(Duration.ofMillis(50));
            assertEquals("hi", TwoHosts.readAll(c));

            c.close();
            s.close();
            server.close();
            l.close();
            h.run(Duration.ofMillis(100));
        }
    }

    // =================================================================== closing or failing in the handshake

    @Test
    void closeInSynSentDeletesTheConnectionWithoutAnotherSegment() {
        try (StackAndPeer t = new StackAndPeer()) {
            Events e = new Events();
            TcpConnection[] c = new TcpConnection[1];
            c[0] = t.stack.connect(null, 40000, StackAndPeer.PEER, 80, e);
            int iss = c[0].iss();
            PeerScript peer = t.script(80, 40000)
                    .expect("SYN", s -> flagsAre(s, SYN) && s.seq() == iss)
                    // RFC 9293 3.10.4: CLOSE in SYN-SENT deletes the TCB; nothing is sent.
                    .then(() -> {
                        c[0].close();
                        assertEquals(CLOSED, c[0].state());
                    })
                    // No FIN, no RST, no SYN retransmission (the initial RTO is 1 s).
                    .expectNothing(Duration.ofMinutes(3))
                    // A late SYN,ACK meets no connection: <SEQ=SEG.ACK><CTL=RST> (3.10.7.1).
                    .send(last -> synAck(9000, iss + 1))
                    .expect("RST <SEQ=SEG.ACK>", s -> flagsAre(s, RST) && s.seq() == iss + 1)
                    .expectNothing(Duration.ofSeconds(5));
            peer.run();

            assertEquals(List.of(SYN_SENT, CLOSED), t.statesOf(40000));
            assertTrue(t.stack.connections().isEmpty());
            assertTrue(e.errors.isEmpty(), "close is not a failure: " + e.heard);
            assertEquals(2, t.wire.from("stack").size(), t.wire.dump());
            ByteBuf data = TwoHosts.text("x");
            try {
                TcpException ex = assertThrows(TcpException.class, () -> c[0].send(data));
                assertEquals(TcpError.SOCKET_CLOSED, ex.error());
            } finally {
                data.release();
            }
            c[0].close(); // harmless
        }
    }

    @Test
    void rstInSynReceivedOfAPassiveOpenReturnsToListenAndALaterConnectWorks() {
        try (StackAndPeer t = new StackAndPeer()) {
            TcpListener listener = t.stack.listen(null, 80, 4, false);
            PeerScript first = t.script(40000, 80)
                    .send(last -> syn(1000))
                    .expect("SYN,ACK", s -> flagsAre(s, SYN | ACK) && s.ack() == 1001)
                    // RFC 9293 3.10.7.4: a RST in SYN-RECEIVED of a passive OPEN returns to LISTEN.
                    .send(last -> seg(RST, 1001, 0).flags(RST))
                    // No RST answers a RST (3.10.7.4); the half-open connection's SYN,ACK timer is gone.
                    .expectNothing(Duration.ofSeconds(10));
            first.run();

            assertEquals(List.of(SYN_RECEIVED, LISTEN), t.statesOf("10.0.0.1:80 > 10.0.0.2:40000"));
            List<TransitionRecord> child = t.transitions.stream()
                    .filter(r -> r.connection().equals("10.0.0.1:80 > 10.0.0.2:40000")).toList();
            assertEquals(TcpEvent.RCV_RST_TO_LISTEN, child.get(1).event());
            assertEquals(LISTEN, listener.state(), "the listener keeps listening");
            assertEquals(0, listener.synQueueLength());
            assertEquals(0, listener.acceptQueueLength());
            assertNull(listener.accept());
            assertTrue(t.stack.connections().isEmpty(), t.stack.connections().toString());

            // A later connection request to the same listener completes normally.
            PeerScript second = t.script(40001, 80)
                    .send(last -> syn(5000))
                    .expect("SYN,ACK", s -> flagsAre(s, SYN | ACK) && s.ack() == 5001)
                    .send(last -> seg(ACK, 5001, last.seq() + 1))
                    .advance(Duration.ofMillis(50));
            second.run();
            TcpConnection c = listener.accept();
            assertNotNull(c);
            assertEquals(ESTABLISHED, c.state());
            assertEquals(40001, c.remotePort());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED), t.statesOf("10.0.0.1:80 > 10.0.0.2:40001"));

            c.abort();
            listener.close();
        }
    }

    @Test
    void rstInSynReceivedOfASimultaneousOpenIsConnectionRefused() {
        try (StackAndPeer t = new StackAndPeer()) {
            Events e = new Events();
            TcpConnection c = t.stack.connect(null, 40000, StackAndPeer.PEER, 50000, e);
            int iss = c.iss();
            PeerScript peer = t.script(50000, 40000)
                    .expect("SYN", s -> flagsAre(s, SYN) && s.seq() == iss)
                    .send(last -> syn(7000)) // the peer opens at the same time: a bare SYN
                    // RFC 9293 3.10.7.3: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, the same ISS.
                    .expect("SYN,ACK with the same ISS", s -> flagsAre(s, SYN | ACK) && s.seq() == iss && s.ack() == 7001)
                    .then(() -> assertEquals(SYN_RECEIVED, c.state()))
                    // RFC 9293 3.10.7.4: a RST in SYN-RECEIVED of an active OPEN: connection refused, CLOSED.
                    .send(last -> seg(RST, 7001, 0).flags(RST))
                    .expectNothing(Duration.ofSeconds(10));
            peer.run();

            assertEquals(CLOSED, c.state());
            assertEquals(TcpError.REFUSED, c.failure());
            assertEquals(List.of(TcpError.REFUSED), e.errors);
            assertEquals(0, e.connected);
            assertEquals(List.of(SYN_SENT, SYN_RECEIVED, CLOSED), t.statesOf(40000));
            assertTrue(t.stack.connections().isEmpty());
            assertSendFails(c, TcpError.REFUSED);
            c.close();
        }
    }

    @Test
    void connectToAPortNobodyListensOnIsRefused() {
        try (TwoHosts h = new TwoHosts()) {
            WireRecorder w = WireRecorder.on(h);
            Events e = new Events();
            TcpConnection c = h.a.connect(null, 40000, TwoHosts.B, 9, e);
            int iss = c.iss();
            h.run(Duration.ofSeconds(10));

            // RFC 9293 3.10.7.1: CLOSED answers a SYN with <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
            List<Seg> segs = w.all();
            assertEquals(2, segs.size(), "no SYN retransmission after the RST: " + w.dump());
            assertTrue(segs.get(0).flagsAre(SYN));
            Seg rst = segs.get(1);
            assertEquals("b", rst.from());
            assertTrue(rst.flagsAre(RST | ACK), w.dump());
            assertEquals(0, rst.seq());
            assertEquals(iss + 1, rst.ack());
            assertEquals(9, rst.srcPort());
            assertEquals(40000, rst.dstPort());

            // RFC 9293 3.10.7.3: a RST acknowledging our SYN in SYN-SENT: "connection refused", CLOSED.
            assertEquals(CLOSED, c.state());
            assertEquals(TcpError.REFUSED, c.failure());
            assertEquals(List.of(TcpError.REFUSED), e.errors);
            assertEquals(List.of(SYN_SENT, CLOSED), h.statesOf(TwoHosts.A, 40000));
            assertTrue(h.a.connections().isEmpty());
            assertEquals(1, h.b.stats().rstsSent);
            assertSendFails(c, TcpError.REFUSED);
            c.close();
        }
    }

    // =================================================================== helpers

    /** send() reports {@code first} once, then "broken pipe" (TcpConnection#send's contract). */
    private static void assertSendFails(TcpConnection c, TcpError first) {
        ByteBuf data = TwoHosts.text("x");
        try {
            TcpException e1 = assertThrows(TcpException.class, () -> c.send(data));
            assertEquals(first, e1.error());
            TcpException e2 = assertThrows(TcpException.class, () -> c.send(data));
            assertEquals(TcpError.BROKEN_PIPE, e2.error(), "the error is reported once");
        } finally {
            data.release();
        }
    }

    private static int indexOf(List<Seg> segs, String from, int flags) {
        for (int i = 0; i < segs.size(); i++) {
            if (segs.get(i).from().equals(from) && segs.get(i).flagsAre(flags)) {
                return i;
            }
        }
        return -1;
    }
}
