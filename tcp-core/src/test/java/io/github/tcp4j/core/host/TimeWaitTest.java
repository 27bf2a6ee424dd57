package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.CLOSE_WAIT;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_1;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.TcpState.LAST_ACK;
import static io.github.tcp4j.core.fsm.TcpState.LISTEN;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static io.github.tcp4j.core.fsm.TcpState.TIME_WAIT;
import static io.github.tcp4j.core.host.Scenarios.lastTransitionOf;
import static io.github.tcp4j.core.host.Scenarios.ms;
import static io.github.tcp4j.core.host.Scenarios.s;
import static io.github.tcp4j.core.host.TwoHosts.A;
import static io.github.tcp4j.core.host.TwoHosts.B;
import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.FIN;
import static io.github.tcp4j.core.wire.TcpFlags.RST;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.host.WireLog.Seg;
import io.github.tcp4j.core.transport.PeerScript;
import io.github.tcp4j.core.wire.TcpSegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TIME-WAIT (issues 3 and 4): 2MSL expiry, a retransmitted FIN restarting it, reopening by a new
 * SYN (RFC 6191), RSTs (RFC 1337), a full table, "address already in use", and ephemeral ports.
 */
class TimeWaitTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MILLI = 1_000_000L;
    private static final int PEER_ISS = 1000;

    /** Client a closes first and the server answers with its FIN: a ends in TIME-WAIT. Returns {client, server}. */
    private static TcpConnection[] clientTimeWait(TwoHosts h, TcpListener listener, int clientPort) {
        TcpConnection client = h.a.connect(null, clientPort, B, 80, ConnectionHandler.NONE);
        h.run(ms(100));
        TcpConnection server = listener.accept();
        assertNotNull(server);
        client.close();
        h.run(ms(100));
        assertEquals(CLOSE_WAIT, server.state());
        server.close();
        h.run(ms(100));
        assertEquals(TIME_WAIT, client.state());
        assertEquals(CLOSED, server.state());
        return new TcpConnection[] {client, server};
    }

    /** A segment from the scripted client, with timestamps when {@code ts} (TSval {@code tsVal}, TSecr echoing {@code last}). */
    private static TcpSegment fromPeer(int flags, int seq, int ack, boolean ts, int tsVal, TcpSegment last) {
        TcpSegment s = new TcpSegment().flags(flags).seq(seq).window(65535);
        if ((flags & ACK) != 0) {
            s.ack(ack);
        }
        if (ts) {
            s.timestamps(tsVal, last.hasTimestamps() ? last.tsVal() : 0);
        }
        return s;
    }

    /**
     * The scripted client at 10.0.0.1:40000 (ISS 1000, timestamps when {@code ts}, TSvals 100..103)
     * connects to b:80; b's application closes first; the client ACKs the FIN and sends its own,
     * so b's connection ends in TIME-WAIT with RCV.NXT = 1002. Returns the server connection.
     */
    private static TcpConnection serverTimeWait(TwoHosts h, TcpListener listener, PeerScript peer, boolean ts, int[] serverIss) {
        peer.send(last -> fromPeer(SYN, PEER_ISS, 0, ts, 100, last))
                .expect("SYN,ACK", seg -> {
                    serverIss[0] = seg.seq();
                    return seg.flags() == (SYN | ACK) && seg.ack() == PEER_ISS + 1 && seg.hasTimestamps() == ts;
                })
                .send(last -> fromPeer(ACK, PEER_ISS + 1, last.seq() + 1, ts, 101, last))
                .advance(ms(20))
                .run();
        TcpConnection server = listener.accept();
        assertNotNull(server);
        server.close();
        peer.expect("the server's FIN", seg -> seg.flags() == (FIN | ACK) && seg.seq() == serverIss[0] + 1)
                .send(last -> fromPeer(ACK, PEER_ISS + 1, serverIss[0] + 2, ts, 102, last))
                .send(last -> fromPeer(FIN | ACK, PEER_ISS + 1, serverIss[0] + 2, ts, 103, last))
                .expect("the ACK of our FIN", seg -> seg.flags() == ACK && seg.seq() == serverIss[0] + 2
                        && seg.ack() == PEER_ISS + 2)
                .run();
        assertEquals(TIME_WAIT, server.state());
        assertEquals(1, h.b.timeWaitCount());
        return server;
    }

    // ------------------------------------------------------------------ 2MSL

    /** RFC 9293 3.3.2 / 3.10.8: TIME-WAIT lasts exactly 2MSL (MSL configurable: 10 s here, so 20 s). */
    @Test
    void timeWaitExpiresAfterExactlyTwoMsl() {
        TcpConfig config = TcpConfig.builder().msl(s(10)).build();
        try (TwoHosts h = new TwoHosts(config)) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = clientTimeWait(h, listener, 40000)[0];
            TransitionRecord entered = lastTransitionOf(h, A, 40000);
            assertEquals(TIME_WAIT, entered.to());
            assertEquals(TcpEvent.RCV_FIN, entered.event());
            int mark = w.mark();

            h.net.advanceTo(entered.timeNanos() + 20 * SECOND - MILLI);
            assertEquals(TIME_WAIT, client.state(), "1 ms before 2MSL");
            assertEquals(1, h.a.timeWaitCount());
            TcpException inUse = assertThrows(TcpException.class, () -> h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE));
            assertEquals(TcpError.ADDRESS_IN_USE, inUse.error());

            h.net.advanceTo(entered.timeNanos() + 20 * SECOND);
            assertEquals(CLOSED, client.state(), "at 2MSL");
            assertEquals(0, h.a.timeWaitCount());
            TransitionRecord expired = lastTransitionOf(h, A, 40000);
            assertEquals(TcpEvent.TIME_WAIT_EXPIRED, expired.event());
            assertEquals(TIME_WAIT, expired.from());
            assertEquals(entered.timeNanos() + 20 * SECOND, expired.timeNanos());
            assertEquals(List.of(), w.since(mark), "TIME-WAIT ends silently");
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED), h.statesOf(A, 40000));

            TcpConnection again = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            assertEquals(ESTABLISHED, again.state(), "the 4-tuple is free after 2MSL");
            again.abort();
            h.run(ms(100));
            drain(listener);
            client.close();
            listener.close();
        }
    }

    /**
     * A connection whose TIME-WAIT ended stays CLOSED, even when a later connection on the same
     * 4-tuple is in TIME-WAIT in its turn (the old object must not report the new incarnation's state).
     */
    @Test
    void anEndedConnectionDoesNotReportTheNextIncarnationsTimeWait() {
        TcpConfig config = TcpConfig.builder().msl(s(5)).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection first = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            TcpConnection s1 = listener.accept();
            first.shutdownOutput(); // the application keeps the socket (half-closed)
            h.run(ms(100));
            s1.close();
            h.run(s(11)); // TIME-WAIT of the first incarnation ends (nobody asks its state meanwhile)
            assertEquals(0, h.a.timeWaitCount());

            TcpConnection second = clientTimeWait(h, listener, 40000)[0];
            assertEquals(TIME_WAIT, second.state());
            assertEquals(CLOSED, first.state(), "the first incarnation ended 2MSL after its TIME-WAIT began");
            first.abort(); // the application finally drops its old socket: it must not touch the new record
            assertEquals(1, h.a.timeWaitCount());
            assertEquals(TIME_WAIT, second.state());
            listener.close();
        }
    }

    /** The default MSL is 30 s: TIME-WAIT lasts 60 s. */
    @Test
    void defaultTwoMslIsSixtySeconds() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = clientTimeWait(h, listener, 40000)[0];
            long entered = lastTransitionOf(h, A, 40000).timeNanos();
            h.net.advanceTo(entered + 60 * SECOND - MILLI);
            assertEquals(TIME_WAIT, client.state());
            h.net.advanceTo(entered + 60 * SECOND + MILLI);
            assertEquals(CLOSED, client.state());
            listener.close();
        }
    }

    /**
     * RFC 9293 3.10.7.4 (TIME-WAIT, eighth check): "The only thing that can arrive in this state is
     * a retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL timeout." The
     * scripted server sends its FIN again 30 s in; the record then ends 2MSL after that.
     */
    @Test
    void retransmittedFinIsAckedAgainAndRestartsTwoMsl() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            PeerScript server = PeerScript.attach(h.net, h.simB, 80, A, 40000);
            TcpConnection[] client = new TcpConnection[1];
            int[] iss = new int[1];
            server.then(() -> client[0] = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE))
                    .expect("SYN", seg -> {
                        iss[0] = seg.seq();
                        return seg.flags() == SYN;
                    })
                    .send(last -> new TcpSegment().flags(SYN | ACK).seq(5000).ack(last.seq() + 1).window(65535))
                    .expect("ACK of our SYN", seg -> seg.flags() == ACK && seg.ack() == 5001)
                    .then(() -> client[0].close())
                    .expect("the client's FIN", seg -> seg.flags() == (FIN | ACK) && seg.seq() == iss[0] + 1)
                    .send(last -> new TcpSegment().flags(ACK).seq(5001).ack(iss[0] + 2).window(65535))
                    .send(last -> new TcpSegment().flags(FIN | ACK).seq(5001).ack(iss[0] + 2).window(65535))
                    .expect("the ACK of our FIN", seg -> seg.flags() == ACK && seg.seq() == iss[0] + 2 && seg.ack() == 5002)
                    .run();
            assertEquals(TIME_WAIT, client[0].state());
            long entered = lastTransitionOf(h, A, 40000).timeNanos();

            server.advance(s(30))
                    .send(last -> new TcpSegment().flags(FIN | ACK).seq(5001).ack(iss[0] + 2).window(65535))
                    .expect("the FIN acknowledged again", seg -> seg.flags() == ACK && seg.seq() == iss[0] + 2
                            && seg.ack() == 5002)
                    .run();
            Seg reAck = w.lastFrom(A);
            long restartedAt = reAck.timeNanos(); // the instant the FIN arrived and was answered
            assertTrue(restartedAt > entered + 30 * SECOND);
            assertEquals(1, h.a.timeWaitTable(false).restarted());

            h.net.advanceTo(entered + 60 * SECOND + MILLI);
            assertEquals(TIME_WAIT, client[0].state(), "past the original 2MSL: the timer was restarted");
            h.net.advanceTo(restartedAt + 60 * SECOND - MILLI);
            assertEquals(TIME_WAIT, client[0].state());
            h.net.advanceTo(restartedAt + 60 * SECOND);
            assertEquals(CLOSED, client[0].state());
            TransitionRecord end = lastTransitionOf(h, A, 40000);
            assertEquals(TcpEvent.TIME_WAIT_EXPIRED, end.event());
            assertEquals(restartedAt + 60 * SECOND, end.timeNanos());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED), h.statesOf(A, 40000));
            server.release();
            client[0].close();
        }
    }

    /**
     * RFC 7323 5.4 / 5.5: TSvals of one connection come from one monotonic clock, else the peer's
     * PAWS check (RFC 7323 5.3) drops the segment. The ACK that TIME-WAIT sends for a retransmitted
     * FIN must therefore carry a TSval continuing the connection's own, about 30,000 (1 ms ticks)
     * above the last one 30 s earlier.
     */
    @Test
    void timeWaitAckKeepsTheConnectionsTimestampClock() {
        try (TwoHosts h = new TwoHosts()) {
            PeerScript server = PeerScript.attach(h.net, h.simB, 80, A, 40000);
            TcpConnection[] client = new TcpConnection[1];
            int[] iss = new int[1];
            int[] lastTsVal = new int[1];
            server.then(() -> client[0] = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE))
                    .expect("SYN with timestamps", seg -> {
                        iss[0] = seg.seq();
                        return seg.flags() == SYN && seg.hasTimestamps();
                    })
                    .send(last -> new TcpSegment().flags(SYN | ACK).seq(5000).ack(last.seq() + 1).window(65535)
                            .timestamps(7000, last.tsVal()))
                    .expect("ACK of our SYN", seg -> seg.flags() == ACK && seg.ack() == 5001 && seg.hasTimestamps())
                    .then(() -> client[0].close())
                    .expect("the client's FIN", seg -> seg.flags() == (FIN | ACK) && seg.hasTimestamps())
                    .send(last -> new TcpSegment().flags(ACK).seq(5001).ack(iss[0] + 2).window(65535)
                            .timestamps(7010, last.tsVal()))
                    .send(last -> new TcpSegment().flags(FIN | ACK).seq(5001).ack(iss[0] + 2).window(65535)
                            .timestamps(7011, last.tsVal()))
                    .expect("the ACK of our FIN", seg -> {
                        lastTsVal[0] = seg.tsVal();
                        return seg.flags() == ACK && seg.ack() == 5002 && seg.hasTimestamps() && seg.tsEcr() == 7011;
                    })
                    .run();
            assertEquals(TIME_WAIT, client[0].state());

            int[] reAckTsVal = new int[1];
            server.advance(s(30))
                    .send(last -> new TcpSegment().flags(FIN | ACK).seq(5001).ack(iss[0] + 2).window(65535)
                            .timestamps(37011, lastTsVal[0]))
                    .expect("the FIN acknowledged again, with timestamps", seg -> {
                        reAckTsVal[0] = seg.tsVal();
                        return seg.flags() == ACK && seg.ack() == 5002 && seg.hasTimestamps();
                    })
                    .run();
            int advance = reAckTsVal[0] - lastTsVal[0];
            assertTrue(advance >= 29_000 && advance <= 31_000,
                    "TSval went from " + Integer.toUnsignedString(lastTsVal[0]) + " to " + Integer.toUnsignedString(reAckTsVal[0]));
            server.release();
            client[0].close();
        }
    }

    // ------------------------------------------------------------------ a new SYN (RFC 6191, RFC 1122 4.2.2.13)

    /**
     * RFC 1122 4.2.2.13 and RFC 6191 section 2 (no timestamps): a SYN for the same 4-tuple whose
     * SEQ is above the old RCV.NXT reopens the connection; the server side's listener takes it
     * and the new connection is established.
     */
    @Test
    void synWithHigherSeqReopensTimeWait() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int[] oldIss = new int[1];
            TcpConnection old = serverTimeWait(h, listener, peer, false, oldIss);

            int newIss = PEER_ISS + 2 + 100_000; // above the old RCV.NXT (1002)
            int[] iss = new int[1];
            peer.advance(s(1))
                    .send(last -> fromPeer(SYN, newIss, 0, false, 0, last))
                    .expect("SYN,ACK of the new incarnation", seg -> {
                        iss[0] = seg.seq();
                        return seg.flags() == (SYN | ACK) && seg.ack() == newIss + 1;
                    })
                    .send(last -> fromPeer(ACK, newIss + 1, last.seq() + 1, false, 0, last))
                    .advance(ms(20))
                    .run();

            TcpConnection reopened = listener.accept();
            assertNotNull(reopened, "the listener accepted the new incarnation");
            assertEquals(ESTABLISHED, reopened.state());
            assertEquals(0, h.b.timeWaitCount());
            assertEquals(1, h.b.stats().timeWaitReopened());
            assertEquals(CLOSED, old.state());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED, SYN_RECEIVED, ESTABLISHED),
                    Scenarios.statesOf(h, B, 80, A, 40000));
            List<TransitionRecord> t = Scenarios.transitionsOf(h, B, 80, A, 40000);
            assertEquals(TcpEvent.RCV_SYN_REOPEN, t.get(5).event());
            peer.release();
            reopened.abort();
            old.close();
            listener.close();
        }
    }

    /**
     * RFC 6191 section 2: with timestamps on the old connection and in the SYN, the timestamp
     * decides: a newer TSval reopens even though the SEQ (500) is below the old RCV.NXT (1002).
     */
    @Test
    void synWithNewerTimestampReopensTimeWaitWhateverItsSeq() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int[] oldIss = new int[1];
            TcpConnection old = serverTimeWait(h, listener, peer, true, oldIss);

            peer.advance(s(1))
                    .send(last -> fromPeer(SYN, 500, 0, true, 200, last)) // TSval 200 > TS.Recent 103
                    .expect("SYN,ACK of the new incarnation", seg -> seg.flags() == (SYN | ACK) && seg.ack() == 501
                            && seg.hasTimestamps() && seg.tsEcr() == 200)
                    .send(last -> fromPeer(ACK, 501, last.seq() + 1, true, 201, last))
                    .advance(ms(20))
                    .run();

            TcpConnection reopened = listener.accept();
            assertNotNull(reopened);
            assertEquals(ESTABLISHED, reopened.state());
            assertEquals(1, h.b.stats().timeWaitReopened());
            assertEquals(0, h.b.timeWaitCount());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED, SYN_RECEIVED, ESTABLISHED),
                    Scenarios.statesOf(h, B, 80, A, 40000));
            peer.release();
            reopened.abort();
            old.close();
            listener.close();
        }
    }

    /**
     * An old SYN (SEQ below the old RCV.NXT, no timestamps) does not reopen: it fails the
     * acceptability test and is answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (RFC 9293
     * 3.10.7.4); the record stays until 2MSL.
     */
    @Test
    void oldSynIsAnsweredWithAnAckAndDoesNotReopen() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int[] iss = new int[1];
            TcpConnection old = serverTimeWait(h, listener, peer, false, iss);

            peer.advance(s(1))
                    .send(last -> fromPeer(SYN, 900, 0, false, 0, last))
                    .expect("an ACK, not a SYN,ACK", seg -> seg.flags() == ACK && seg.seq() == iss[0] + 2
                            && seg.ack() == PEER_ISS + 2)
                    .expectNothing(s(2))
                    .run();

            assertEquals(TIME_WAIT, old.state());
            assertEquals(1, h.b.timeWaitCount());
            assertEquals(0, h.b.stats().timeWaitReopened());
            assertNull(listener.accept());
            assertTrue(h.b.connections().isEmpty());
            assertEquals(TIME_WAIT, lastTransitionOf(h, B, 80).to());
            peer.release();
            old.close();
            listener.close();
        }
    }

    /**
     * RFC 6191 section 2: with timestamps, an older TSval does not reopen, even with a SEQ above
     * the old RCV.NXT; the SYN is answered like any unacceptable segment and the record stays.
     */
    @Test
    void synWithOlderTimestampDoesNotReopenEvenWithHigherSeq() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int[] iss = new int[1];
            TcpConnection old = serverTimeWait(h, listener, peer, true, iss);

            peer.advance(s(1))
                    .send(last -> fromPeer(SYN, PEER_ISS + 2 + 1_000_000, 0, true, 50, last)) // TSval 50 < TS.Recent 103
                    .expect("an ACK, not a SYN,ACK", seg -> seg.flags() == ACK && seg.ack() == PEER_ISS + 2)
                    .expectNothing(s(2))
                    .run();

            assertEquals(TIME_WAIT, old.state());
            assertEquals(1, h.b.timeWaitCount());
            assertEquals(0, h.b.stats().timeWaitReopened());
            assertNull(listener.accept());
            peer.release();
            old.close();
            listener.close();
        }
    }

    /**
     * Two real stacks: the server closes first and holds TIME-WAIT; the client (whose side closed
     * second and is gone) connects again from the same port at once. Its SYN carries a newer
     * timestamp, so the server reopens the 4-tuple (RFC 6191) and the new connection works.
     */
    @Test
    void clientReconnectsFromTheSamePortWhileTheServerHoldsTimeWait() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            TcpConnection server = listener.accept();
            server.close();
            h.run(ms(100));
            client.close();
            h.run(ms(100));
            assertEquals(CLOSED, client.state());
            assertEquals(TIME_WAIT, server.state());
            assertEquals(1, h.b.timeWaitCount());
            int mark = w.mark();

            TcpConnection again = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));

            assertEquals(ESTABLISHED, again.state());
            TcpConnection server2 = listener.accept();
            assertNotNull(server2);
            assertEquals(ESTABLISHED, server2.state());
            assertEquals(0, h.b.timeWaitCount());
            assertEquals(1, h.b.stats().timeWaitReopened());
            List<Seg> handshake = w.since(mark);
            assertEquals(3, handshake.size(), "a clean three-way handshake: " + w);
            assertTrue(handshake.get(0).is(SYN) && handshake.get(1).is(SYN | ACK) && handshake.get(2).is(ACK));
            TwoHosts.write(again, "second life");
            h.run(ms(100));
            assertEquals("second life", TwoHosts.readAll(server2));
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED, SYN_SENT, ESTABLISHED),
                    h.statesOf(A, 40000));
            again.abort();
            server2.close();
            server.close();
            listener.close();
        }
    }

    // ------------------------------------------------------------------ RST (RFC 1337)

    /** RFC 1337 (TIME-WAIT assassination): by default a RST in TIME-WAIT is ignored; the record lives its 2MSL. */
    @Test
    void rstInTimeWaitIsIgnoredByDefault() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int[] iss = new int[1];
            TcpConnection old = serverTimeWait(h, listener, peer, false, iss);
            long entered = lastTransitionOf(h, B, 80).timeNanos();
            long dropped = h.b.stats().droppedByStateMachine();

            peer.send(last -> new TcpSegment().flags(RST).seq(PEER_ISS + 2)) // exactly RCV.NXT
                    .expectNothing(s(1))
                    .run();

            assertEquals(TIME_WAIT, old.state());
            assertEquals(1, h.b.timeWaitCount());
            assertEquals(dropped + 1, h.b.stats().droppedByStateMachine());
            h.net.advanceTo(entered + 60 * SECOND - MILLI);
            assertEquals(TIME_WAIT, old.state());
            h.net.advanceTo(entered + 60 * SECOND);
            assertEquals(CLOSED, old.state());
            assertEquals(TcpEvent.TIME_WAIT_EXPIRED, lastTransitionOf(h, B, 80).event());
            peer.release();
            old.close();
            listener.close();
        }
    }

    /**
     * rfc1337Protection(false) follows RFC 9293 3.10.7.4: a RST at RCV.NXT closes TIME-WAIT at
     * once; one elsewhere in the window still only draws a challenge ACK (RFC 5961 3.2).
     */
    @Test
    void rstClosesTimeWaitWithoutRfc1337Protection() {
        TcpConfig config = TcpConfig.builder().rfc1337Protection(false).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80);
            int[] iss = new int[1];
            TcpConnection old = serverTimeWait(h, listener, peer, false, iss);

            peer.send(last -> new TcpSegment().flags(RST).seq(PEER_ISS + 2 + 10))
                    .expect("challenge ACK", seg -> seg.flags() == ACK && seg.seq() == iss[0] + 2 && seg.ack() == PEER_ISS + 2)
                    .run();
            assertEquals(TIME_WAIT, old.state());
            assertEquals(1, h.b.timeWaitCount());

            peer.send(last -> new TcpSegment().flags(RST).seq(PEER_ISS + 2))
                    .expectNothing(s(1))
                    .run();

            assertEquals(CLOSED, old.state());
            assertEquals(0, h.b.timeWaitCount());
            TransitionRecord end = lastTransitionOf(h, B, 80);
            assertEquals(TIME_WAIT, end.from());
            assertEquals(TcpEvent.RCV_RST, end.event());
            assertEquals(CLOSED, end.to());
            peer.release();
            old.close();
            listener.close();
        }
    }

    // ------------------------------------------------------------------ a full table

    /** A full TIME-WAIT table (capacity 2) evicts its oldest record by default, freeing that 4-tuple. */
    @Test
    void fullTableEvictsTheOldestByDefault() {
        TcpConfig config = TcpConfig.builder().timeWaitCapacity(2).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection c1 = clientTimeWait(h, listener, 40001)[0];
            TcpConnection c2 = clientTimeWait(h, listener, 40002)[0];
            assertEquals(2, h.a.timeWaitCount());

            TcpConnection c3 = clientTimeWait(h, listener, 40003)[0];

            assertEquals(2, h.a.timeWaitCount());
            assertEquals(1, h.a.timeWaitTable(false).evicted());
            assertEquals(CLOSED, c1.state(), "the oldest record was evicted");
            assertEquals(TIME_WAIT, c2.state());
            assertEquals(TIME_WAIT, c3.state());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT), h.statesOf(A, 40003));
            // The evicted 4-tuple is free again; the others are not.
            assertThrows(TcpException.class, () -> h.a.connect(null, 40002, B, 80, ConnectionHandler.NONE));
            TcpConnection again = h.a.connect(null, 40001, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            assertEquals(ESTABLISHED, again.state());
            again.abort();
            h.run(ms(100));
            drain(listener);
            listener.close();
        }
    }

    /**
     * The transition stream should show that an evicted record left TIME-WAIT: the connection's
     * state() reads CLOSED, so a netstat view built on the stream must see the change too.
     */
    @Test
    void evictionIsVisibleInTheTransitionStream() {
        TcpConfig config = TcpConfig.builder().timeWaitCapacity(1).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection c1 = clientTimeWait(h, listener, 40001)[0];
            clientTimeWait(h, listener, 40002);
            assertEquals(CLOSED, c1.state());
            assertEquals(CLOSED, lastTransitionOf(h, A, 40001).to(), "the stream still shows 40001 in TIME_WAIT");
            listener.close();
        }
    }

    /**
     * timeWaitEvictOldest(false): a full table refuses the new record, and that connection goes
     * straight from TIME-WAIT to CLOSED (after ACKing the FIN); the older records stay.
     */
    @Test
    void fullTableRefusesWhenEvictionIsOff() {
        TcpConfig config = TcpConfig.builder().timeWaitCapacity(2).timeWaitEvictOldest(false).build();
        try (TwoHosts h = new TwoHosts(config)) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection c1 = clientTimeWait(h, listener, 40001)[0];
            TcpConnection c2 = clientTimeWait(h, listener, 40002)[0];

            ErrorLog log = new ErrorLog();
            TcpConnection c3 = h.a.connect(null, 40003, B, 80, log);
            h.run(ms(100));
            TcpConnection s3 = listener.accept();
            c3.close();
            h.run(ms(100));
            s3.close();
            h.run(ms(100));

            assertEquals(CLOSED, c3.state());
            assertEquals(CLOSED, s3.state(), "the FIN was still acknowledged");
            Seg lastAck = w.lastFrom(A);
            assertTrue(lastAck.is(ACK) && lastAck.sourcePort() == 40003, w.toString());
            assertEquals(2, h.a.timeWaitCount());
            assertEquals(1, h.a.timeWaitTable(false).refused());
            assertEquals(0, h.a.timeWaitTable(false).evicted());
            assertEquals(TIME_WAIT, c1.state());
            assertEquals(TIME_WAIT, c2.state());
            // Refused: TIME-WAIT is entered and left at once, through the table's 2MSL-expiry cell.
            assertEquals(TcpEvent.TIME_WAIT_EXPIRED, lastTransitionOf(h, A, 40003).event());
            assertEquals(CLOSED, lastTransitionOf(h, A, 40003).to());
            assertEquals(List.of(), log.errors);
            // The refused 4-tuple is free at once.
            TcpConnection again = h.a.connect(null, 40003, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            assertEquals(ESTABLISHED, again.state());
            again.abort();
            h.run(ms(100));
            drain(listener);
            listener.close();
        }
    }

    /** With the record refused, the stream must show the connection going on from TIME-WAIT to CLOSED at once. */
    @Test
    void refusedRecordGoesOnToClosedInTheTransitionStream() {
        TcpConfig config = TcpConfig.builder().timeWaitCapacity(1).timeWaitEvictOldest(false).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            clientTimeWait(h, listener, 40001);
            TcpConnection c2 = h.a.connect(null, 40002, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            TcpConnection s2 = listener.accept();
            c2.close();
            h.run(ms(100));
            s2.close();
            h.run(ms(100));
            assertEquals(CLOSED, c2.state());
            List<TransitionRecord> t = Scenarios.transitionsOf(h, A, 40002);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED),
                    t.stream().map(TransitionRecord::to).toList());
            assertEquals(TcpEvent.TIME_WAIT_EXPIRED, t.get(5).event());
            assertEquals(t.get(4).timeNanos(), t.get(5).timeNanos(), "straight on to CLOSED, at the same instant");
            listener.close();
        }
    }

    /**
     * The application hears onReleased once per connection, also when the full table refuses its
     * record (enterTimeWait reports it; the follow-up to CLOSED must not report it again).
     */
    @Test
    void refusedTimeWaitReleasesOnce() {
        TcpConfig config = TcpConfig.builder().timeWaitCapacity(1).timeWaitEvictOldest(false).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            clientTimeWait(h, listener, 40001);
            ErrorLog log = new ErrorLog();
            TcpConnection c2 = h.a.connect(null, 40002, B, 80, log);
            h.run(ms(100));
            TcpConnection s2 = listener.accept();
            c2.close();
            h.run(ms(100));
            s2.close();
            h.run(ms(100));
            assertEquals(CLOSED, c2.state());
            assertEquals(1, log.released);
            listener.close();
        }
    }

    // ------------------------------------------------------------------ ports

    /**
     * "Address already in use": the server closed first, so its side of the connection holds
     * TIME-WAIT on port 80. A new listen on port 80 fails without reuseAddress and succeeds with
     * it (SO_REUSEADDR); after 2MSL it succeeds without.
     */
    @Test
    void listenOnAPortHeldByTimeWaitNeedsReuseAddress() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            TcpConnection server = listener.accept();
            server.close();
            h.run(ms(100));
            client.close();
            h.run(ms(100));
            assertEquals(TIME_WAIT, server.state());
            listener.close();
            assertEquals(CLOSED, listener.state());
            long entered = lastTransitionOf(h, B, 80).timeNanos();

            TcpException e = assertThrows(TcpException.class, () -> h.b.listen(null, 80, 16, false));
            assertEquals(TcpError.ADDRESS_IN_USE, e.error());
            TcpException e2 = assertThrows(TcpException.class, () -> h.b.listen(B, 80, 16, false));
            assertEquals(TcpError.ADDRESS_IN_USE, e2.error());
            TcpListener other = h.b.listen(null, 81, 16, false); // another port is unaffected
            other.close();

            TcpListener reused = h.b.listen(null, 80, 16, true);
            assertEquals(LISTEN, reused.state());
            assertEquals(TIME_WAIT, server.state(), "reuseAddress leaves the record alone");
            TcpException twice = assertThrows(TcpException.class, () -> h.b.listen(null, 80, 16, true));
            assertEquals(TcpError.ADDRESS_IN_USE, twice.error(), "reuseAddress does not allow two listeners");
            reused.close();

            h.net.advanceTo(entered + 60 * SECOND);
            assertEquals(0, h.b.timeWaitCount());
            TcpListener fresh = h.b.listen(null, 80, 16, false);
            assertEquals(LISTEN, fresh.state());
            fresh.close();
            server.close();
            client.close();
        }
    }

    /**
     * RFC 6056 with the TIME-WAIT check: an ephemeral connect never picks a 4-tuple held in
     * TIME-WAIT. Three ephemeral ports; one is in TIME-WAIT; nine connects in a row use only the
     * other two; with all three in TIME-WAIT there is no free port, until 2MSL has passed.
     */
    @Test
    void ephemeralConnectNeverPicksATupleInTimeWait() {
        TcpConfig config = TcpConfig.builder().ephemeralPorts(50000, 50002).msl(s(5)).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 64, false);
            TcpConnection first = ephemeralTimeWait(h, listener);
            int held = first.localPort();

            Set<Integer> used = new HashSet<>();
            for (int i = 0; i < 9; i++) {
                TcpConnection c = h.a.connect(null, 0, B, 80, ConnectionHandler.NONE);
                assertNotEquals(held, c.localPort(), "picked the port held in TIME-WAIT");
                used.add(c.localPort());
                c.abort(); // SYN-SENT: deleted silently, the port is free again
            }
            assertEquals(2, used.size(), "both other ports were used: " + used);
            h.run(ms(100));
            drain(listener);

            TcpConnection second = ephemeralTimeWait(h, listener);
            TcpConnection third = ephemeralTimeWait(h, listener);
            assertEquals(Set.of(50000, 50001, 50002), Set.of(first.localPort(), second.localPort(), third.localPort()));
            assertEquals(3, h.a.timeWaitCount());
            TcpException e = assertThrows(TcpException.class, () -> h.a.connect(null, 0, B, 80, ConnectionHandler.NONE));
            assertEquals(TcpError.NO_FREE_PORT, e.error());
            // The same ports to another remote port are free: TIME-WAIT holds 4-tuples, not ports.
            TcpConnection elsewhere = h.a.connect(null, 0, B, 8080, ConnectionHandler.NONE);
            elsewhere.abort();

            h.run(s(11));
            assertEquals(0, h.a.timeWaitCount());
            TcpConnection after = h.a.connect(null, 0, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            assertEquals(ESTABLISHED, after.state());
            after.abort();
            h.run(ms(100));
            drain(listener);
            listener.close();
        }
    }

    private static TcpConnection ephemeralTimeWait(TwoHosts h, TcpListener listener) {
        TcpConnection client = h.a.connect(null, 0, B, 80, ConnectionHandler.NONE);
        h.run(ms(100));
        assertEquals(ESTABLISHED, client.state());
        TcpConnection server = listener.accept();
        client.close();
        h.run(ms(100));
        server.close();
        h.run(ms(100));
        assertEquals(TIME_WAIT, client.state());
        return client;
    }

    private static void drain(TcpListener listener) {
        for (TcpConnection c = listener.accept(); c != null; c = listener.accept()) {
            c.abort();
        }
    }
}
