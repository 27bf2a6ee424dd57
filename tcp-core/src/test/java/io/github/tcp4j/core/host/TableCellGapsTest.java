package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.host.StackAndPeer.PEER;
import static io.github.tcp4j.core.host.StackAndPeer.flagsAre;
import static io.github.tcp4j.core.host.StackAndPeer.seg;
import static io.github.tcp4j.core.host.StackAndPeer.syn;
import static io.github.tcp4j.core.host.StackAndPeer.synAck;
import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.FIN;
import static io.github.tcp4j.core.wire.TcpFlags.RST;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.transport.PeerScript;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cells of the table the other scenarios leave out, each driven on the wire against a
 * scripted peer: the checks every synchronized state shares (RFC 9293 3.10.7.4 with RFC 5961),
 * retransmitted FINs, resets in the closing states, retransmission give-ups, and a few user
 * calls. Each test asserts the state and the exact reply (flags, SEQ, ACK).
 */
class TableCellGapsTest {

    /** The scripted peer's ISN. */
    private static final int IRS = 1000;

    /** The stack's connection from port 40000 to the scripted peer's port 80, driven to a state. */
    private static final class Driven implements AutoCloseable {
        final StackAndPeer sp;
        final PeerScript peer;
        final TcpConnection c;
        int iss;
        /** The stack's SND.NXT and RCV.NXT as the test tracks them. */
        int sndNxt;
        int rcvNxt = IRS + 1;

        Driven(TcpConfig config) {
            sp = new StackAndPeer(config);
            peer = sp.script(80, 40000);
            c = sp.stack.connect(null, 40000, PEER, 80, ConnectionHandler.NONE);
            peer.expect("SYN", s -> {
                iss = s.seq();
                return flagsAre(s, SYN);
            }).send(l -> synAck(IRS, iss + 1)).expect("ACK", s -> flagsAre(s, ACK)).run();
            sndNxt = iss + 1;
        }

        Driven() {
            this(TcpConfig.defaults());
        }

        Driven to(TcpState target) {
            switch (target) {
                case ESTABLISHED -> {
                }
                case FIN_WAIT_1 -> {
                    c.shutdownOutput();
                    peer.expect("our FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == sndNxt).run();
                    sndNxt++;
                }
                case FIN_WAIT_2 -> {
                    to(TcpState.FIN_WAIT_1);
                    send(seg(ACK, rcvNxt, sndNxt));
                    peer.advance(Duration.ofMillis(50)).run();
                }
                case CLOSE_WAIT -> {
                    send(seg(FIN | ACK, rcvNxt, sndNxt));
                    rcvNxt++;
                    expectAck("the ACK of their FIN");
                }
                case CLOSING -> {
                    to(TcpState.FIN_WAIT_1);
                    send(seg(FIN | ACK, rcvNxt, sndNxt - 1)); // their FIN, not acknowledging ours
                    rcvNxt++;
                    expectAck("the ACK of their FIN");
                }
                case LAST_ACK -> {
                    to(TcpState.CLOSE_WAIT);
                    c.shutdownOutput();
                    peer.expect("our FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == sndNxt).run();
                    sndNxt++;
                }
                case TIME_WAIT -> {
                    to(TcpState.FIN_WAIT_2);
                    send(seg(FIN | ACK, rcvNxt, sndNxt));
                    rcvNxt++;
                    expectAck("the ACK of their FIN");
                }
                default -> throw new IllegalArgumentException(target.name());
            }
            assertEquals(target, c.state(), "driven to " + target);
            return this;
        }

        void send(TcpSegment s) {
            peer.send(l -> s).run();
        }

        /** The stack answers with {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>} (an ACK or a challenge ACK). */
        void expectAck(String what) {
            int seq = sndNxt;
            int ack = rcvNxt;
            peer.expect(what + " <SEQ=" + seq + "><ACK=" + ack + ">", s -> flagsAre(s, ACK) && s.seq() == seq && s.ack() == ack)
                    .run();
        }

        @Override
        public void close() {
            c.abort();
            sp.close();
        }
    }

    /** What the peer sends, and what the stack must do about it in every synchronized state. */
    enum Probe {
        /**
         * RFC 5961 4.2: a SYN in the window gets a challenge ACK. At RCV.NXT itself, so that in
         * TIME-WAIT it is not a newer incarnation (RFC 6191 would reopen for one above RCV.NXT).
         */
        SYN_IN_WINDOW(d -> seg(SYN, d.rcvNxt, 0)),
        /** RFC 5961 3.2: a RST in the window, not at RCV.NXT, gets a challenge ACK. */
        RST_IN_WINDOW(d -> seg(RST, d.rcvNxt + 10, 0)),
        /** RFC 5961 5.2 / RFC 9293 3.10.7.4: an ACK of something not yet sent is answered with an ACK and dropped. */
        ACK_OF_UNSENT(d -> seg(ACK, d.rcvNxt, d.sndNxt + 5000)),
        /** RFC 9293 3.10.7.4 first check: a segment below the window is answered with an ACK. */
        OUT_OF_WINDOW(d -> seg(ACK, d.rcvNxt - 50_000, d.sndNxt));

        final java.util.function.Function<Driven, TcpSegment> segment;

        Probe(java.util.function.Function<Driven, TcpSegment> segment) {
            this.segment = segment;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
        "TIME_WAIT"})
    void everySynchronizedStateAnswersTheSharedChecksWithAnAckAndKeepsItsState(TcpState state) {
        for (Probe probe : Probe.values()) {
            try (Driven d = new Driven().to(state)) {
                d.send(probe.segment.apply(d));
                d.expectAck(probe + " in " + state);
                assertEquals(state, d.c.state(), probe + " leaves " + state + " as it is");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"FIN_WAIT_1", "CLOSING", "LAST_ACK"})
    void aRstAtRcvNxtEndsTheClosingStates(TcpState state) {
        try (Driven d = new Driven().to(state)) {
            d.send(seg(RST, d.rcvNxt, 0)); // RFC 9293 3.10.7.4 second check; RFC 5961 3.2: exactly RCV.NXT
            d.peer.expectNothing(Duration.ofSeconds(1)).run();
            assertEquals(TcpState.CLOSED, d.c.state());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"CLOSE_WAIT", "CLOSING", "LAST_ACK"})
    void aRetransmittedFinIsAcknowledgedAgain(TcpState state) {
        try (Driven d = new Driven().to(state)) {
            d.send(seg(FIN | ACK, d.rcvNxt - 1, d.sndNxt - (d.c.finSent() ? 1 : 0))); // RFC 9293 3.10.7.4 eighth check
            d.expectAck("the FIN again, ACKed again");
            assertEquals(state, d.c.state());
        }
    }

    @Test
    void inClosingTheirFinAgainAcknowledgingOursEndsInTimeWait() {
        try (Driven d = new Driven().to(TcpState.CLOSING)) {
            d.send(seg(FIN | ACK, d.rcvNxt - 1, d.sndNxt));
            d.expectAck("ACK of their FIN");
            assertEquals(TcpState.TIME_WAIT, d.c.state());
        }
    }

    @Test
    void inLastAckTheirFinAgainAcknowledgingOursClosesAfterAnAck() {
        try (Driven d = new Driven().to(TcpState.LAST_ACK)) {
            d.send(seg(FIN | ACK, d.rcvNxt - 1, d.sndNxt));
            d.expectAck("ACK of their FIN");
            assertEquals(TcpState.CLOSED, d.c.state());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"ESTABLISHED", "CLOSE_WAIT", "CLOSING"})
    void unacknowledgedDataOrFinTimesOut(TcpState state) {
        // RFC 9293 3.8.3: after R2 the connection is given up ("connection timed out")
        TcpConfig config = TcpConfig.builder().dataRetries(2).initialRto(Duration.ofMillis(200)).build();
        try (Driven d = new Driven(config).to(state)) {
            if (state != TcpState.CLOSING) {
                io.netty.buffer.ByteBuf data = Unpooled.copiedBuffer("unanswered", StandardCharsets.UTF_8);
                d.c.send(data);
                data.release();
            }
            d.sp.net.advance(Duration.ofSeconds(30));
            assertEquals(TcpState.CLOSED, d.c.state());
            assertEquals(TcpError.TIMED_OUT, d.c.failure());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"FIN_WAIT_1", "FIN_WAIT_2"})
    void closeWithUnreadDataAfterShutdownResets(TcpState state) {
        // RFC 9293 SHLD-3 / RFC 2525 2.17: unread data at close() means a RST, not silence
        try (Driven d = new Driven().to(state)) {
            int ack = state == TcpState.FIN_WAIT_1 ? d.sndNxt - 1 : d.sndNxt; // in FIN-WAIT-1 our FIN stays unacknowledged
            d.send(seg(ACK, d.rcvNxt, ack).payload(Unpooled.copiedBuffer("unread", StandardCharsets.UTF_8)));
            d.rcvNxt += 6;
            d.expectAck("ACK of the data");
            assertEquals(state, d.c.state());
            d.c.close();
            int seq = d.sndNxt;
            d.peer.expect("<SEQ=SND.NXT><CTL=RST>", s -> flagsAre(s, RST) && s.seq() == seq).run();
            assertEquals(TcpState.CLOSED, d.c.state());
        }
    }

    @Test
    void synSentAnswersAnUnacceptableAckWithARst() {
        try (StackAndPeer sp = new StackAndPeer()) {
            PeerScript peer = sp.script(80, 40000);
            TcpConnection c = sp.stack.connect(null, 40000, PEER, 80, ConnectionHandler.NONE);
            int[] iss = new int[1];
            // RFC 9293 3.10.7.3 first check: an ACK of something never sent gets <SEQ=SEG.ACK><CTL=RST>
            peer.expect("SYN", s -> {
                iss[0] = s.seq();
                return flagsAre(s, SYN);
            }).send(l -> seg(ACK, IRS, iss[0] + 77)).expect("RST", s -> flagsAre(s, RST) && s.seq() == iss[0] + 77).run();
            assertEquals(TcpState.SYN_SENT, c.state());
            c.abort();
        }
    }

    /** A listener's half-open connection (SYN-RECEIVED) and the segment the peer sends next. */
    private static void synReceivedGets(IntFunction<TcpSegment> next, int expectFlags, IntFunction<Integer> expectSeq, int expectAck) {
        try (StackAndPeer sp = new StackAndPeer()) {
            TcpListener l = sp.stack.listen(null, 80, 4, false);
            PeerScript peer = sp.script(40000, 80);
            int[] iss = new int[1];
            peer.send(x -> syn(IRS)).expect("SYN,ACK", s -> {
                iss[0] = s.seq();
                return flagsAre(s, SYN | ACK);
            }).send(x -> next.apply(iss[0])).expect("the reply", s -> flagsAre(s, expectFlags) && s.seq() == expectSeq.apply(iss[0])
                    && (expectAck < 0 || s.ack() == expectAck)).run();
            assertEquals(1, l.synQueueLength(), "still half-open");
            l.close();
        }
    }

    @Test
    void synReceivedAnswersAnInWindowSynWithAChallengeAck() {
        synReceivedGets(iss -> syn(IRS + 5), ACK, iss -> iss + 1, IRS + 1); // RFC 5961 4.2
    }

    @Test
    void synReceivedAnswersAnInWindowRstWithAChallengeAck() {
        synReceivedGets(iss -> seg(RST, IRS + 50, 0), ACK, iss -> iss + 1, IRS + 1); // RFC 5961 3.2
    }

    @Test
    void synReceivedAnswersAnUnacceptableAckWithARst() {
        synReceivedGets(iss -> seg(ACK, IRS + 1, iss + 99), RST, iss -> iss + 99, -1); // RFC 9293 3.10.7.4 fifth check
    }

    @Test
    void shutdownInSynReceivedOfASimultaneousOpenSendsTheFin() {
        try (StackAndPeer sp = new StackAndPeer()) {
            PeerScript peer = sp.script(80, 40000);
            TcpConnection c = sp.stack.connect(null, 40000, PEER, 80, ConnectionHandler.NONE);
            int[] iss = new int[1];
            peer.expect("SYN", s -> {
                iss[0] = s.seq();
                return flagsAre(s, SYN);
            }).send(l -> syn(IRS)).expect("SYN,ACK with the same ISS", s -> flagsAre(s, SYN | ACK) && s.seq() == iss[0]).run();
            assertEquals(TcpState.SYN_RECEIVED, c.state());
            c.shutdownOutput(); // RFC 9293 3.10.4: SYN-RECEIVED + close/shutdown -> FIN-WAIT-1
            peer.expect("FIN", s -> flagsAre(s, FIN | ACK) && s.seq() == iss[0] + 1).run();
            assertEquals(TcpState.FIN_WAIT_1, c.state());
            c.abort();
        }
    }

    @Test
    void aSegmentWithNeitherAckSynNorRstForNoConnectionGetsRstAck() {
        try (StackAndPeer sp = new StackAndPeer()) {
            PeerScript peer = sp.script(40000, 81);
            // RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
            peer.send(l -> seg(FIN, 500, 0)).expect("RST,ACK", s -> flagsAre(s, RST | ACK) && s.seq() == 0 && s.ack() == 501).run();
        }
    }

    @Test
    void abortingAListenerResetsItsQueue() {
        try (StackAndPeer sp = new StackAndPeer()) {
            TcpListener l = sp.stack.listen(null, 80, 4, false);
            PeerScript peer = sp.script(40000, 80);
            int[] iss = new int[1];
            peer.send(x -> syn(IRS)).expect("SYN,ACK", s -> {
                iss[0] = s.seq();
                return flagsAre(s, SYN | ACK);
            }).then(l::abort).expect("RST of the half-open connection", s -> flagsAre(s, RST) && s.seq() == iss[0] + 1).run();
            assertEquals(TcpState.CLOSED, l.state());
            assertEquals(0, l.synQueueLength());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"ESTABLISHED", "FIN_WAIT_1", "CLOSE_WAIT", "CLOSING", "LAST_ACK"})
    void theUserTimeoutEndsAConnectionWhoseDataOrFinStaysUnacknowledged(TcpState state) {
        // RFC 5482: data (or our FIN) unacknowledged for the user timeout ends the connection, long before R2
        TcpConfig config = TcpConfig.builder().userTimeout(Duration.ofSeconds(5)).build();
        try (Driven d = new Driven(config).to(state)) {
            if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) {
                io.netty.buffer.ByteBuf data = Unpooled.copiedBuffer("unanswered", StandardCharsets.UTF_8);
                d.c.send(data);
                data.release();
            }
            d.sp.net.advance(Duration.ofMillis(4900));
            assertEquals(state, d.c.state(), "not before the user timeout");
            d.sp.net.advance(Duration.ofMillis(200));
            assertEquals(TcpState.CLOSED, d.c.state());
            assertEquals(TcpError.TIMED_OUT, d.c.failure());
        }
    }

    @Test
    void theUserTimeoutAlsoBoundsTheHandshake() {
        TcpConfig config = TcpConfig.builder().userTimeout(Duration.ofSeconds(2)).build();
        try (StackAndPeer sp = new StackAndPeer(config)) {
            PeerScript peer = sp.script(80, 40000); // never answers
            TcpConnection c = sp.stack.connect(null, 40000, PEER, 80, ConnectionHandler.NONE);
            sp.net.advance(Duration.ofMillis(2100));
            assertEquals(TcpState.CLOSED, c.state(), "SYN_SENT: the user timeout comes before the SYN retries");
            assertEquals(TcpError.TIMED_OUT, c.failure());
            TcpListener l = sp.stack.listen(null, 80, 4, false);
            PeerScript client = sp.script(40001, 80);
            client.send(x -> syn(IRS)).expectFlags(SYN | ACK).run(); // and never the ACK
            assertEquals(1, l.synQueueLength());
            sp.net.advance(Duration.ofMillis(2100));
            assertEquals(0, l.synQueueLength(), "SYN_RECEIVED: the half-open connection is dropped");
            assertEquals(TcpState.LISTEN, l.state());
            peer.release();
            l.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TcpState.class, names = {"ESTABLISHED", "FIN_WAIT_2", "CLOSE_WAIT"})
    void keepAliveGivesUpOnASilentPeerWithARst(TcpState state) {
        // RFC 9293 3.8.4 (and Linux): idle, then probes; when none is answered, the connection is reset
        TcpConfig config = TcpConfig.builder().keepAlive(true, Duration.ofSeconds(10), Duration.ofSeconds(1), 3).build();
        try (Driven d = new Driven(config).to(state)) {
            long start = d.sp.net.now();
            int probeSeq = d.sndNxt - 1;
            for (int i = 0; i < 3; i++) {
                d.peer.expect("keep-alive probe " + (i + 1) + " <SEQ=SND.UNA-1>", x -> flagsAre(x, ACK) && x.seq() == probeSeq,
                        Duration.ofSeconds(11)).run();
            }
            int rstSeq = d.sndNxt;
            d.peer.expect("<SEQ=SND.NXT><CTL=RST>", x -> flagsAre(x, RST) && x.seq() == rstSeq, Duration.ofSeconds(2)).run();
            assertEquals(TcpState.CLOSED, d.c.state());
            assertEquals(TcpError.TIMED_OUT, d.c.failure());
            long took = d.sp.net.now() - start;
            assertTrue(took >= 12_900_000_000L && took < 14_000_000_000L, "10 s idle (from the last segment heard), then 3 probes 1 s apart: " + took);
        }
    }
}
