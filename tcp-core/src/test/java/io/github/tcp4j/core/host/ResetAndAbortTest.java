package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.CLOSE_WAIT;
import static io.github.tcp4j.core.fsm.TcpState.CLOSING;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_1;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.TcpState.LAST_ACK;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.host.WireLog.Seg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Resets and aborts (issue 3): abort() in every state it applies to (RFC 9293 3.10.5), close()
 * with unread data (RFC 9293 SHLD-3, RFC 2525 2.17), data after a full close, and the EPIPE case.
 * Client a = 10.0.0.1:40000, server b = 10.0.0.2:80, 10 ms apart.
 */
class ResetAndAbortTest {

    /** RFC 9293 3.10.5, SYN-SENT: "delete the TCB"; nothing is sent, and the SYN is never retransmitted. */
    @Test
    void abortInSynSentIsSilent() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            h.link.aToB().partition(); // the SYN is lost: nobody answers
            ErrorLog ce = new ErrorLog();
            TcpConnection client = h.a.connect(null, 40000, B, 80, ce);
            h.run(ms(500));
            assertEquals(SYN_SENT, client.state());
            int mark = w.mark();
            client.abort();
            assertEquals(CLOSED, client.state());
            assertEquals(List.of(), w.since(mark), "abort in SYN-SENT sends nothing");
            h.run(s(10));
            assertEquals(1, w.all().size(), "one SYN, no retransmission after the abort: " + w);
            assertTrue(w.all().get(0).is(SYN));
            assertEquals(List.of(SYN_SENT, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.ABORT, lastTransitionOf(h, A, 40000).event());
            assertTrue(h.a.connections().isEmpty());
        }
    }

    /** RFC 9293 3.10.5, SYN-RECEIVED: send <SEQ=SND.NXT><CTL=RST>; the peer's connection is reset. */
    @Test
    void abortInSynReceivedSendsRstAndResetsThePeer() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            ErrorLog ce = new ErrorLog();
            TcpConnection client = h.a.connect(null, 40000, B, 80, ce);
            h.run(ms(15)); // the SYN arrived at 10 ms, the SYN,ACK arrives at 20 ms
            assertEquals(1, h.b.connections().size());
            TcpConnection child = h.b.connections().get(0);
            assertEquals(SYN_RECEIVED, child.state());
            Seg synAck = w.first(B, SYN | ACK);
            int mark = w.mark();

            child.abort();

            assertEquals(CLOSED, child.state());
            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST), sent.get(0).toString());
            assertEquals(synAck.seq() + 1, sent.get(0).seq(), "SEQ = SND.NXT = ISS + 1");
            h.run(ms(100));
            // The SYN,ACK made the client ESTABLISHED at 20 ms; the RST (SEQ = its RCV.NXT) resets it at 25 ms.
            assertEquals(CLOSED, client.state());
            assertEquals(TcpError.RESET, client.failure());
            assertEquals(List.of(TcpError.RESET), ce.errors);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.RCV_RST, lastTransitionOf(h, A, 40000).event());
            assertEquals(List.of(SYN_RECEIVED, CLOSED), h.statesOf(B, 80));
            assertEquals(LISTEN, listener.state());
            assertEquals(0, listener.synQueueLength());
            assertEquals(0, listener.acceptQueueLength());
            client.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, ESTABLISHED: <SEQ=SND.NXT><CTL=RST>; the peer goes CLOSED with "connection reset". */
    @Test
    void abortInEstablishedSendsRstAtSndNxt() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            ErrorLog se = new ErrorLog();
            server.handler(se);
            TwoHosts.write(client, "hello");
            h.run(ms(100));
            assertEquals("hello", TwoHosts.readAll(server));
            int clientIss = w.first(A, SYN).seq();
            int mark = w.mark();

            client.abort();

            assertEquals(CLOSED, client.state());
            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST), "a bare RST, no ACK: " + sent.get(0));
            assertEquals(clientIss + 1 + 5, sent.get(0).seq(), "SEQ = SND.NXT");
            h.run(ms(100));
            assertEquals(CLOSED, server.state());
            assertEquals(TcpError.RESET, server.failure());
            assertEquals(List.of(TcpError.RESET), se.errors);
            assertEquals(1, w.since(mark).size(), "a RST is never answered: " + w);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.ABORT, lastTransitionOf(h, A, 40000).event());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSED), h.statesOf(B, 80));
            assertEquals(TcpEvent.RCV_RST, lastTransitionOf(h, B, 80).event());
            assertThrows(TcpException.class, () -> TwoHosts.write(client, "x"), "the aborted socket is closed");
            server.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, FIN-WAIT-1: the RST's SEQ is SND.NXT, which counts the FIN already sent. */
    @Test
    void abortInFinWait1SendsRstAfterTheFin() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            int mark = w.mark();
            client.close();
            assertEquals(FIN_WAIT_1, client.state());

            client.abort();

            assertEquals(CLOSED, client.state());
            List<Seg> sent = w.since(mark);
            assertEquals(2, sent.size(), w.toString());
            assertTrue(sent.get(0).is(FIN | ACK), sent.get(0).toString());
            assertTrue(sent.get(1).is(RST), sent.get(1).toString());
            assertEquals(sent.get(0).seq() + 1, sent.get(1).seq(), "SEQ = SND.NXT, after the FIN");
            h.run(ms(100));
            // The FIN arrives first (CLOSE-WAIT), then the RST at exactly RCV.NXT.
            assertEquals(CLOSED, server.state());
            assertEquals(TcpError.RESET, server.failure());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, CLOSED), h.statesOf(A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, CLOSED), h.statesOf(B, 80));
            server.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, FIN-WAIT-2 (after a half-close): RST at SND.NXT; the peer in CLOSE-WAIT is reset. */
    @Test
    void abortInFinWait2SendsRst() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            ErrorLog se = new ErrorLog();
            server.handler(se);
            client.shutdownOutput();
            h.run(ms(100));
            assertEquals(FIN_WAIT_2, client.state());
            assertEquals(CLOSE_WAIT, server.state());
            int finSeq = w.first(A, FIN | ACK).seq();
            int mark = w.mark();

            client.abort();

            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST), sent.get(0).toString());
            assertEquals(finSeq + 1, sent.get(0).seq());
            h.run(ms(100));
            assertEquals(CLOSED, server.state());
            assertEquals(List.of(TcpError.RESET), se.errors);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSED), h.statesOf(A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, CLOSED), h.statesOf(B, 80));
            server.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, CLOSE-WAIT: RST at SND.NXT; the peer, half-closed in FIN-WAIT-2, reads "connection reset". */
    @Test
    void abortInCloseWaitSendsRst() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            ErrorLog ce = new ErrorLog();
            TcpConnection[] cs = establish(h, listener, 40000, ce);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.shutdownOutput();
            h.run(ms(100));
            assertEquals(CLOSE_WAIT, server.state());
            TwoHosts.write(server, "abc");
            h.run(ms(100));
            int serverIss = w.first(B, SYN | ACK).seq();
            int mark = w.mark();

            server.abort();

            assertEquals(CLOSED, server.state());
            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST), sent.get(0).toString());
            assertEquals(serverIss + 1 + 3, sent.get(0).seq(), "SEQ = SND.NXT");
            h.run(ms(100));
            assertEquals(CLOSED, client.state());
            assertEquals(List.of(TcpError.RESET), ce.errors);
            ByteBuf buf = Unpooled.buffer(16);
            try {
                assertEquals(3, client.receive(buf), "data that arrived before the reset can still be read");
            } finally {
                buf.release();
            }
            TcpException e = assertThrows(TcpException.class, () -> Scenarios.receiveOnce(client));
            assertEquals(TcpError.RESET, e.error());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSED), h.statesOf(A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, CLOSED), h.statesOf(B, 80));
            client.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, CLOSING: "respond with ok and delete the TCB": no RST. */
    @Test
    void abortInClosingIsSilent() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.close();
            server.close(); // simultaneous close: both FINs cross
            h.run(ms(15)); // each FIN arrived at 10 ms (CLOSING); the ACKs arrive at 20 ms
            assertEquals(CLOSING, client.state());
            int mark = w.mark();

            client.abort();

            assertEquals(CLOSED, client.state());
            assertEquals(List.of(), w.since(mark), "no RST from CLOSING");
            h.run(ms(100));
            // The only thing a sends afterwards is the RST that "no connection" answers the peer's
            // ACK of the FIN with (3.10.7.1: <SEQ=SEG.ACK><CTL=RST>), when that ACK arrives at 20 ms.
            List<Seg> fromA = w.since(mark).stream().filter(x -> x.from(A)).toList();
            Seg serverAck = w.lastFrom(B);
            assertEquals(1, fromA.size(), w.toString());
            assertTrue(fromA.get(0).is(RST));
            assertEquals(serverAck.ack(), fromA.get(0).seq());
            assertEquals(serverAck.timeNanos() + 10_000_000L, fromA.get(0).timeNanos(), "a reply, not sent by the abort");
            assertEquals(TIME_WAIT, server.state(), "the client's ACK, sent before the abort, still completes the peer's close");
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, CLOSING, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.ABORT, lastTransitionOf(h, A, 40000).event());
            assertEquals(0, h.a.timeWaitCount());
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, LAST-ACK: no RST; the connection is deleted. */
    @Test
    void abortInLastAckIsSilent() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.close();
            h.run(ms(100));
            assertEquals(CLOSE_WAIT, server.state());
            server.close();
            assertEquals(LAST_ACK, server.state());
            int mark = w.mark();

            server.abort();

            assertEquals(CLOSED, server.state());
            assertEquals(List.of(), w.since(mark), "no RST from LAST-ACK");
            assertTrue(h.b.connections().isEmpty());
            h.run(ms(100));
            // The client ACKs the FIN sent before the abort; b no longer knows the connection, and
            // its listener answers that ACK with <SEQ=SEG.ACK><CTL=RST> (3.10.7.2), 20 ms later.
            assertEquals(TIME_WAIT, client.state(), "RFC 1337: the RST does not end TIME-WAIT");
            List<Seg> fromB = w.since(mark).stream().filter(x -> x.from(B)).toList();
            assertEquals(1, fromB.size(), w.toString());
            Seg clientAck = w.lastFrom(A);
            assertTrue(fromB.get(0).is(RST));
            assertEquals(clientAck.ack(), fromB.get(0).seq());
            assertEquals(clientAck.timeNanos() + 10_000_000L, fromB.get(0).timeNanos());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), h.statesOf(B, 80));
            assertEquals(TcpEvent.ABORT, lastTransitionOf(h, B, 80).event());
            listener.close();
        }
    }

    /** RFC 9293 3.10.5, TIME-WAIT: no RST; the record is deleted, so the 4-tuple is free at once. */
    @Test
    void abortInTimeWaitDeletesTheRecordSilently() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            client.shutdownOutput();
            h.run(ms(100));
            server.close();
            h.run(ms(100));
            assertEquals(TIME_WAIT, client.state());
            assertEquals(1, h.a.timeWaitCount());
            TcpException inUse = assertThrows(TcpException.class,
                    () -> h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE));
            assertEquals(TcpError.ADDRESS_IN_USE, inUse.error());
            int mark = w.mark();

            client.abort();

            assertEquals(CLOSED, client.state());
            assertEquals(0, h.a.timeWaitCount());
            assertEquals(List.of(), w.since(mark));
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.ABORT, lastTransitionOf(h, A, 40000).event());
            // The same 4-tuple connects again at once.
            TcpConnection again = h.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            h.run(ms(100));
            assertEquals(ESTABLISHED, again.state());
            again.abort();
            TcpConnection second = listener.accept();
            h.run(ms(100));
            second.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.4 SHLD-3 and RFC 2525 2.17: close() with unread data sends RST, not FIN. */
    @Test
    void closeWithUnreadDataSendsRstInsteadOfFin() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            ErrorLog se = new ErrorLog();
            server.handler(se);
            TwoHosts.write(server, "unread");
            h.run(ms(100));
            assertEquals(6, client.available());
            int clientIss = w.first(A, SYN).seq();
            int mark = w.mark();

            client.close();

            assertEquals(CLOSED, client.state());
            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST), "RST, no FIN: " + sent.get(0));
            assertEquals(clientIss + 1, sent.get(0).seq(), "SEQ = SND.NXT");
            h.run(ms(100));
            assertEquals(CLOSED, server.state());
            assertEquals(List.of(TcpError.RESET), se.errors);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.CLOSE_DISCARDING, lastTransitionOf(h, A, 40000).event());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSED), h.statesOf(B, 80));
            assertEquals(0, h.a.timeWaitCount(), "a reset leaves no TIME-WAIT");
            server.close();
            listener.close();
        }
    }

    /** RFC 2525 2.17 in CLOSE-WAIT: data before the peer's FIN is still unread, so close() resets instead of sending FIN. */
    @Test
    void closeInCloseWaitWithUnreadDataSendsRst() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            TwoHosts.write(server, "bye");
            server.close();
            h.run(ms(100));
            assertEquals(CLOSE_WAIT, client.state());
            assertEquals(FIN_WAIT_2, server.state());
            int mark = w.mark();

            client.close();

            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST), sent.get(0).toString());
            h.run(ms(100));
            assertEquals(CLOSED, client.state());
            assertEquals(CLOSED, server.state());
            assertEquals(TcpError.RESET, server.failure());
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSE_WAIT, CLOSED), h.statesOf(A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSED), h.statesOf(B, 80));
            listener.close();
        }
    }

    /**
     * RFC 9293 3.10.7.4 (seventh, "text" after the application closed) and RFC 2525 2.17: the client
     * closed fully and sits in FIN-WAIT-2; the server sends data; the client answers RST and goes CLOSED.
     */
    @Test
    void dataAfterFullCloseIsAnsweredWithRst() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            ErrorLog se = new ErrorLog();
            server.handler(se);
            client.close();
            h.run(ms(100));
            assertEquals(FIN_WAIT_2, client.state());
            assertEquals(CLOSE_WAIT, server.state());
            int clientFin = w.first(A, FIN | ACK).seq();
            int mark = w.mark();

            TwoHosts.write(server, "late");
            h.run(ms(100));

            List<Seg> sent = w.since(mark);
            assertEquals(2, sent.size(), w.toString());
            assertTrue(sent.get(0).from(B) && sent.get(0).is(ACK) && sent.get(0).len() == 4, sent.get(0).toString());
            assertTrue(sent.get(1).from(A) && sent.get(1).is(RST), sent.get(1).toString());
            assertEquals(clientFin + 1, sent.get(1).seq(), "SEQ = SND.NXT");
            assertEquals(CLOSED, client.state());
            assertEquals(CLOSED, server.state());
            assertEquals(List.of(TcpError.RESET), se.errors);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.RCV_DATA_AFTER_CLOSE, lastTransitionOf(h, A, 40000).event());
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, CLOSED), h.statesOf(B, 80));
            assertEquals(0, h.a.timeWaitCount());
            server.close();
            listener.close();
        }
    }

    /**
     * The EPIPE case: the server closes its socket; the client, in CLOSE-WAIT, writes anyway; the
     * data reaches the server, whose application has closed, so it answers RST (RFC 2525 2.17); the
     * client's connection goes CLOSED. The next send() reports "connection reset", every later one
     * "broken pipe".
     */
    @Test
    void writeAfterThePeerClosedIsResetThenBrokenPipe() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            ErrorLog ce = new ErrorLog();
            TcpConnection[] cs = establish(h, listener, 40000, ce);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            server.close();
            h.run(ms(100));
            assertEquals(CLOSE_WAIT, client.state());
            assertEquals(FIN_WAIT_2, server.state());
            assertEquals(-1, Scenarios.receiveOnce(client), "the client sees end of stream");
            int serverFin = w.first(B, FIN | ACK).seq();
            int mark = w.mark();

            assertEquals(4, Scenarios.sendOnce(client, "ping"), "the write itself succeeds");
            h.run(ms(100));

            List<Seg> sent = w.since(mark);
            assertEquals(2, sent.size(), w.toString());
            assertTrue(sent.get(0).from(A) && sent.get(0).len() == 4);
            assertTrue(sent.get(1).from(B) && sent.get(1).is(RST), sent.get(1).toString());
            assertEquals(serverFin + 1, sent.get(1).seq(), "the server's SND.NXT, after its FIN");
            assertEquals(CLOSED, server.state());
            assertEquals(CLOSED, client.state());
            assertEquals(TcpError.RESET, client.failure());
            assertEquals(List.of(TcpError.RESET), ce.errors);
            assertEquals(List.of(SYN_SENT, ESTABLISHED, CLOSE_WAIT, CLOSED), h.statesOf(A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSED), h.statesOf(B, 80));

            TcpException first = assertThrows(TcpException.class, () -> Scenarios.sendOnce(client, "again"));
            assertEquals(TcpError.RESET, first.error());
            for (int i = 0; i < 3; i++) {
                TcpException next = assertThrows(TcpException.class, () -> Scenarios.sendOnce(client, "again"));
                assertEquals(TcpError.BROKEN_PIPE, next.error());
            }
            assertEquals(sent.size(), w.since(mark).size(), "the failed sends put nothing on the wire");
            client.close();
            listener.close();
        }
    }

    /** After a reset, receive() returns the data that arrived before it, then "connection reset" once, then end of stream. */
    @Test
    void receiveAfterResetReturnsBufferedDataFirst() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            TwoHosts.write(server, "before the reset");
            h.run(ms(100));
            server.abort();
            h.run(ms(100));
            assertEquals(CLOSED, client.state());
            assertEquals(TcpError.RESET, client.failure());

            assertEquals(16, client.available());
            ByteBuf buf = Unpooled.buffer(64);
            try {
                assertEquals(16, client.receive(buf));
                assertEquals("before the reset", buf.toString(StandardCharsets.UTF_8));
            } finally {
                buf.release();
            }
            TcpException e = assertThrows(TcpException.class, () -> Scenarios.receiveOnce(client));
            assertEquals(TcpError.RESET, e.error());
            assertEquals(-1, Scenarios.receiveOnce(client), "the error is reported once; then the stream reads as ended");
            TcpException pipe = assertThrows(TcpException.class, () -> Scenarios.sendOnce(client, "x"));
            assertEquals(TcpError.BROKEN_PIPE, pipe.error(), "the reset was already reported by receive()");
            client.close();
            listener.close();
        }
    }

    /** RFC 9293 3.10.7.4 / RFC 2525 2.17 in FIN-WAIT-1: data that arrives after close() but before the FIN's ACK is answered with RST too. */
    @Test
    void dataAfterFullCloseInFinWait1IsAnsweredWithRst() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection[] cs = establish(h, listener, 40000, ConnectionHandler.NONE);
            TcpConnection client = cs[0];
            TcpConnection server = cs[1];
            int mark = w.mark();
            client.close();
            TwoHosts.write(server, "crossing"); // crosses the FIN: arrives while the client is in FIN-WAIT-1
            h.run(ms(15));
            assertEquals(CLOSED, client.state());
            List<Seg> fromA = w.since(mark).stream().filter(x -> x.from(A)).toList();
            assertEquals(2, fromA.size(), w.toString());
            assertTrue(fromA.get(0).is(FIN | ACK));
            assertTrue(fromA.get(1).is(RST));
            assertEquals(fromA.get(0).seq() + 1, fromA.get(1).seq(), "SEQ = SND.NXT, after the FIN");
            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, CLOSED), h.statesOf(A, 40000));
            assertEquals(TcpEvent.RCV_DATA_AFTER_CLOSE, lastTransitionOf(h, A, 40000).event());
            h.run(ms(100));
            assertEquals(CLOSED, server.state());
            assertEquals(TcpError.RESET, server.failure());
            server.close();
            listener.close();
        }
    }

    /** Closing a listener resets the connections waiting in its accept queue (TcpListener; RFC 9293 3.10.5 for each). */
    @Test
    void closingTheListenerResetsConnectionsNotYetAccepted() {
        try (TwoHosts h = new TwoHosts()) {
            WireLog w = WireLog.attach(h.net);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            ErrorLog ce = new ErrorLog();
            TcpConnection client = h.a.connect(null, 40000, B, 80, ce);
            h.run(ms(100));
            assertEquals(ESTABLISHED, client.state());
            assertEquals(1, listener.acceptQueueLength());
            Seg synAck = w.first(B, SYN | ACK);
            int mark = w.mark();

            listener.close();

            List<Seg> sent = w.since(mark);
            assertEquals(1, sent.size(), w.toString());
            assertTrue(sent.get(0).is(RST));
            assertEquals(synAck.seq() + 1, sent.get(0).seq());
            h.run(ms(100));
            assertEquals(CLOSED, client.state());
            assertEquals(List.of(TcpError.RESET), ce.errors);
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSED), h.statesOf(B, 80));
            assertTrue(h.b.connections().isEmpty());
            client.close();
        }
    }
}
