package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.CLOSE_WAIT;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_1;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.TcpState.LISTEN;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static io.github.tcp4j.core.fsm.TcpState.TIME_WAIT;
import static io.github.tcp4j.core.host.Scenarios.establish;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.host.WireLog.Seg;
import io.github.tcp4j.core.transport.PeerScript;
import io.github.tcp4j.core.wire.TcpSegment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Timeouts (issue 3): SYN and SYN,ACK retransmission with exponential backoff (RFC 6298 5.5) and
 * their limits, FIN and data retransmission (RFC 9293 3.8.3), the FIN-WAIT-2 timeout of an
 * orphaned connection, and a half-closed FIN-WAIT-2 that lasts.
 */
class TimeoutTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MILLI = 1_000_000L;

    /**
     * RFC 6298 5.5 (back off the timer, RTO doubles) with the initial RTO of 1 s (RFC 6298 2.1):
     * SYNs at 0, 1, 3, 7, 15, 31, 63 s (6 retries), and after the last RTO of 64 s, at 127 s,
     * connect fails with "connection timed out".
     */
    @Test
    void synIsRetransmittedWithExponentialBackoffThenTimesOut() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            h.link.aToB().partition();
            ErrorLog ce = new ErrorLog();
            TcpConnection client = h.a.connect(null, 40000, B, 80, ce);

            h.net.advanceTo(127 * SECOND - MILLI);
            assertEquals(SYN_SENT, client.state(), "still trying just before 127 s");
            List<Seg> syns = w.from(A);
            assertEquals(7, syns.size(), w.toString());
            long[] expected = {0, 1, 3, 7, 15, 31, 63};
            for (int i = 0; i < syns.size(); i++) {
                assertTrue(syns.get(i).is(SYN), syns.get(i).toString());
                assertEquals(syns.get(0).seq(), syns.get(i).seq(), "every retransmission carries the same ISS");
                assertEquals(expected[i] * SECOND, syns.get(i).timeNanos(), "SYN " + i);
            }
            assertEquals(List.of(), ce.errors);

            h.net.advanceTo(127 * SECOND + MILLI);
            assertEquals(CLOSED, client.state());
            assertEquals(7, w.from(A).size(), "no SYN after giving up, and no RST");
            assertEquals(TcpError.TIMED_OUT, client.failure());
            assertEquals(List.of(TcpError.TIMED_OUT), ce.errors);
            TransitionRecord last = lastTransitionOf(h, A, 40000);
            assertEquals(TcpEvent.SYN_RETRIES_EXHAUSTED, last.event());
            assertEquals(127 * SECOND, last.timeNanos());
            assertEquals(List.of(SYN_SENT, CLOSED), h.statesOf(A, 40000));
            TcpException e = assertThrows(TcpException.class, () -> Scenarios.sendOnce(client, "x"));
            assertEquals(TcpError.TIMED_OUT, e.error());
            assertTrue(h.a.connections().isEmpty());
            client.close();
        }
    }

    /** The same with synRetries(2) and initialRto(500 ms): SYNs at 0, 0.5, 1.5 s, failure at 3.5 s. */
    @Test
    void synRetriesAndInitialRtoAreConfigurable() {
        TcpConfig config = TcpConfig.builder().synRetries(2).initialRto(ms(500)).build();
        try (TwoHosts h = new TwoHosts(config)) {
            WireLog w = WireLog.attach(h.net);
            h.link.aToB().partition();
            ErrorLog ce = new ErrorLog();
            TcpConnection client = h.a.connect(null, 40000, B, 80, ce);
            h.net.advanceTo(3_500 * MILLI - MILLI);
            assertEquals(SYN_SENT, client.state());
            assertEquals(List.of(0L, 500 * MILLI, 1_500 * MILLI), w.from(A).stream().map(Seg::timeNanos).toList());
            h.net.advanceTo(3_500 * MILLI);
            assertEquals(CLOSED, client.state());
            assertEquals(List.of(TcpError.TIMED_OUT), ce.errors);
            client.close();
        }
    }

    /**
     * A half-open connection (the client never completes the handshake): its SYN,ACK goes out again
     * at 1, 3, 7, 15, 31 s after the first (synAckRetries 5), then, at 63 s, the connection is
     * dropped, silently; the listener still listens.
     */
    @Test
    void synAckIsRetransmittedThenTheHalfOpenConnectionIsDropped() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            PeerScript peer = PeerScript.attach(h.net, h.simA, 40000, B, 80)
                    .send(last -> new TcpSegment().flags(SYN).seq(1000).window(65535));
            for (int i = 0; i < 6; i++) {
                peer.expect("SYN,ACK #" + i, seg -> seg.flags() == (SYN | ACK) && seg.ack() == 1001, s(40));
            }
            peer.expectNothing(s(120)).run();
            peer.release();

            List<Seg> synAcks = w.from(B);
            assertEquals(6, synAcks.size(), w.toString());
            long first = synAcks.get(0).timeNanos();
            assertEquals(10 * MILLI, first);
            long[] offsets = {0, 1, 3, 7, 15, 31};
            for (int i = 0; i < 6; i++) {
                assertEquals(first + offsets[i] * SECOND, synAcks.get(i).timeNanos(), "SYN,ACK " + i);
                assertEquals(synAcks.get(0).seq(), synAcks.get(i).seq());
            }
            TransitionRecord drop = lastTransitionOf(h, B, 80);
            assertEquals(TcpEvent.SYN_RETRIES_EXHAUSTED, drop.event());
            assertEquals(first + 63 * SECOND, drop.timeNanos());
            assertEquals(List.of(SYN_RECEIVED, CLOSED), h.statesOf(B, 80));
            assertTrue(h.b.connections().isEmpty());
            assertEquals(0, listener.synQueueLength());
            assertEquals(0, listener.acceptQueueLength());
            assertEquals(LISTEN, listener.state());

            // The listener still takes new connections.
            PeerScript next = PeerScript.attach(h.net, h.simA, 40001, B, 80)
                    .send(last -> new TcpSegment().flags(SYN).seq(5000).window(65535))
                    .expect("SYN,ACK", seg -> seg.flags() == (SYN | ACK) && seg.ack() == 5001)
                    .send(last -> new TcpSegment().flags(ACK).seq(5001).ack(last.seq() + 1).window(65535))
                    .advance(ms(20));
            next.run();
            next.release();
            TcpConnection server = listener.accept();
            assertNotNull(server);
            assertEquals(ESTABLISHED, server.state());
            server.abort();
            listener.close();
        }
    }

    /**
     * RFC 9293 3.8.3 (R2) and RFC 6298 5.5: an unacknowledged FIN is retransmitted with backoff;
     * after dataRetries retransmissions the connection times out and goes CLOSED, silently.
     */
    @Test
    void finIsRetransmittedUntilDataRetriesThenTimesOut() {
        TcpConfig config = TcpConfig.builder().dataRetries(3).build();
        try (TwoHosts h = new TwoHosts(config)) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            ErrorLog ce = new ErrorLog();
            TcpConnection[] cs = establish(h, listener, 40000, ce);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            long rto = client.rto();
            assertEquals(200 * MILLI, rto, "a 20 ms RTT gives the minimum RTO");
            h.link.aToB().partition();
            int mark = w.mark();
            long t0 = h.net.now();

            client.close();
            h.run(s(2));
            List<Seg> fins = w.since(mark);
            assertEquals(4, fins.size(), "the FIN and 3 retransmissions: " + w);
            long[] offsets = {0, rto, 3 * rto, 7 * rto};
            for (int i = 0; i < fins.size(); i++) {
                assertTrue(fins.get(i).is(FIN | ACK), fins.get(i).toString());
                assertEquals(fins.get(0).seq(), fins.get(i).seq());
                assertEquals(t0 + offsets[i], fins.get(i).timeNanos(), "FIN " + i);
            }
            assertEquals(FIN_WAIT_1, client.state());
            assertEquals(List.of(), ce.errors);

            h.net.advanceTo(t0 + 15 * rto - MILLI);
            assertEquals(FIN_WAIT_1, client.state(), "the last RTO (8 x 200 ms) has not run out");
            h.net.advanceTo(t0 + 15 * rto);
            assertEquals(CLOSED, client.state());
            assertEquals(TcpError.TIMED_OUT, client.failure());
            assertEquals(List.of(TcpError.TIMED_OUT), ce.errors);
            assertEquals(TcpEvent.RETRANSMIT_GIVE_UP, lastTransitionOf(h, A, 40000).event());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, CLOSED), h.statesOf(A, 40000));
            h.run(s(10));
            assertEquals(4, w.since(mark).size(), "nothing more, no RST: " + w);
            assertEquals(0, h.a.timeWaitCount());
            assertEquals(ESTABLISHED, server.state(), "the server never heard of it");
            server.abort();
            listener.close();
        }
    }

    /** The same limit in LAST-ACK: the passive closer's FIN, never acknowledged, times out after dataRetries. */
    @Test
    void lastAckFinIsRetransmittedUntilDataRetriesThenTimesOut() {
        TcpConfig config = TcpConfig.builder().dataRetries(2).build();
        try (TwoHosts h = new TwoHosts(config)) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            ErrorLog se = new ErrorLog();
            server.handler(se);
            client.close();
            h.run(ms(100));
            assertEquals(CLOSE_WAIT, server.state());
            h.link.bToA().partition();
            long rto = server.rto();
            int mark = w.mark();
            long t0 = h.net.now();

            server.close();
            h.net.advanceTo(t0 + 7 * rto - MILLI);
            assertEquals(TcpState.LAST_ACK, server.state());
            List<Seg> fins = w.since(mark);
            assertEquals(3, fins.size(), w.toString());
            assertTrue(fins.stream().allMatch(f -> f.from(B) && f.is(FIN | ACK) && f.seq() == fins.get(0).seq()));
            h.net.advanceTo(t0 + 7 * rto);
            assertEquals(CLOSED, server.state());
            assertEquals(List.of(TcpError.TIMED_OUT), se.errors);
            assertEquals(TcpEvent.RETRANSMIT_GIVE_UP, lastTransitionOf(h, B, 80).event());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, TcpState.LAST_ACK, CLOSED), h.statesOf(B, 80));
            assertEquals(FIN_WAIT_2, client.state(), "the client never saw the FIN");
            client.abort();
            listener.close();
        }
    }

    /** RFC 6298 5.4: a lost data segment is retransmitted when the RTO expires, and then acknowledged. */
    @Test
    void lostDataIsRetransmittedAfterTheRto() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            long rto = client.rto();
            h.link.aToB().partition();
            h.net.schedule(ms(100), () -> h.link.aToB().heal()); // the first copy is lost, the link is back at 100 ms
            int mark = w.mark();
            long t0 = h.net.now();

            TwoHosts.write(client, "hello");
            h.run(s(5));

            List<Seg> data = w.since(mark).stream().filter(x -> x.from(A) && x.len() > 0).toList();
            assertEquals(2, data.size(), w.toString());
            assertEquals(data.get(0).seq(), data.get(1).seq());
            assertEquals(t0, data.get(0).timeNanos());
            assertEquals(t0 + rto, data.get(1).timeNanos(), "retransmitted after exactly one RTO");
            assertEquals(1, h.a.stats().retransmissions());
            Seg ack = w.lastFrom(B);
            assertTrue(ack.is(ACK));
            assertEquals(data.get(0).seq() + 5, ack.ack());
            assertEquals("hello", TwoHosts.readAll(server));
            assertEquals(0, client.sendQueued(), "acknowledged: nothing left to retransmit");
            assertEquals(ESTABLISHED, client.state());
            assertEquals(List.of(SYN_SENT, ESTABLISHED), h.statesOf(A, 40000));
            client.abort();
            server.close();
            listener.close();
        }
    }

    /**
     * An orphaned FIN-WAIT-2 (the application called close(); the peer never sends its FIN) ends
     * after finWait2Timeout (default 60 s, Linux's tcp_fin_timeout), silently. Later segments of
     * the peer meet no connection and are answered with RST (RFC 9293 3.10.7.1).
     */
    @Test
    void orphanedFinWait2EndsAfterTheTimeout() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.close();
            h.run(ms(100));
            assertEquals(FIN_WAIT_2, client.state());
            assertEquals(CLOSE_WAIT, server.state());
            TransitionRecord fw2 = lastTransitionOf(h, A, 40000);
            assertEquals(FIN_WAIT_2, fw2.to());
            long entered = fw2.timeNanos();
            int mark = w.mark();

            h.net.advanceTo(entered + 60 * SECOND - MILLI);
            assertEquals(FIN_WAIT_2, client.state());
            h.net.advanceTo(entered + 60 * SECOND);
            assertEquals(CLOSED, client.state());
            TransitionRecord end = lastTransitionOf(h, A, 40000);
            assertEquals(TcpEvent.FIN_WAIT_2_TIMEOUT, end.event());
            assertEquals(entered + 60 * SECOND, end.timeNanos());
            assertEquals(List.of(), w.since(mark), "the timeout sends nothing");
            assertEquals(0, h.a.timeWaitCount(), "no TIME-WAIT after the FIN-WAIT-2 timeout");
            assertTrue(h.a.connections().isEmpty());

            TwoHosts.write(server, "anyone?");
            h.run(ms(100));
            Seg rst = w.lastFrom(A);
            assertTrue(rst.is(RST), w.toString());
            assertEquals(CLOSED, server.state());
            assertEquals(TcpError.RESET, server.failure());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSED), h.statesOf(A, 40000));
            server.close();
            listener.close();
        }
    }

    /** finWait2Timeout is configurable. */
    @Test
    void finWait2TimeoutIsConfigurable() {
        TcpConfig config = TcpConfig.builder().finWait2Timeout(s(5)).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            cs[0].close();
            h.run(ms(100));
            long entered = lastTransitionOf(h, A, 40000).timeNanos();
            h.net.advanceTo(entered + 5 * SECOND - MILLI);
            assertEquals(FIN_WAIT_2, cs[0].state());
            h.net.advanceTo(entered + 5 * SECOND);
            assertEquals(CLOSED, cs[0].state());
            cs[1].abort();
            listener.close();
        }
    }

    /**
     * A half-close (shutdownOutput) is not an orphan: FIN-WAIT-2 lasts as long as the peer keeps
     * its side open (here 10 virtual minutes, ten times the orphan timeout), and the data the peer
     * sends meanwhile is read; the peer's FIN then leads to TIME-WAIT.
     */
    @Test
    void halfClosedFinWait2LastsAndStillReads() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.shutdownOutput();
            h.run(ms(100));
            assertEquals(FIN_WAIT_2, client.state());
            int mark = w.mark();

            h.run(Duration.ofMinutes(10));

            assertEquals(FIN_WAIT_2, client.state());
            assertEquals(CLOSE_WAIT, server.state());
            assertEquals(List.of(), w.since(mark), "nothing on the wire for 10 minutes");
            TwoHosts.write(server, "still here");
            h.run(ms(100));
            assertEquals("still here", TwoHosts.readAll(client));
            assertEquals(FIN_WAIT_2, client.state());
            server.close();
            h.run(ms(100));
            assertEquals(TIME_WAIT, client.state());
            assertEquals(-1, Scenarios.receiveOnce(client));
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT), h.statesOf(A, 40000));
            client.close();
            listener.close();
        }
    }

    /** close() after shutdownOutput() orphans the connection: from then on the FIN-WAIT-2 timeout applies (TransitionTable). */
    @Test
    void closeAfterShutdownOutputStartsTheFinWait2Timeout() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.shutdownOutput();
            h.run(s(120));
            assertEquals(FIN_WAIT_2, client.state());
            int mark = w.mark();
            long closedAt = h.net.now();

            client.close();

            assertEquals(List.of(), w.since(mark), "no second FIN");
            assertEquals(FIN_WAIT_2, client.state());
            h.net.advanceTo(closedAt + 60 * SECOND - MILLI);
            assertEquals(FIN_WAIT_2, client.state());
            h.net.advanceTo(closedAt + 60 * SECOND);
            assertEquals(CLOSED, client.state());
            assertEquals(TcpEvent.FIN_WAIT_2_TIMEOUT, lastTransitionOf(h, A, 40000).event());
            server.abort();
            listener.close();
        }
    }

    /** TcpHostStats.retransmissions counts "segments retransmitted after a timeout": SYNs and SYN,ACKs included. */
    @Test
    void synRetransmissionsAreCounted() {
        TcpConfig config = TcpConfig.builder().synRetries(2).build();
        try (TwoHosts h = new TwoHosts(config)) {
            h.link.aToB().partition();
            TcpConnection client = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(s(10));
            assertEquals(CLOSED, client.state());
            assertEquals(2, h.a.stats().retransmissions());
            client.close();
        }
    }
}
