package io.github.tcp4j.core.fsm;

import static io.github.tcp4j.core.fsm.Action.ARM_FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.Action.ARM_RETRANSMIT;
import static io.github.tcp4j.core.fsm.Action.ARM_TIME_WAIT;
import static io.github.tcp4j.core.fsm.Action.CANCEL_TIMERS;
import static io.github.tcp4j.core.fsm.Action.COUNT_DROP;
import static io.github.tcp4j.core.fsm.Action.DELIVER_DATA;
import static io.github.tcp4j.core.fsm.Action.DELIVER_EOF;
import static io.github.tcp4j.core.fsm.Action.ENQUEUE_FOR_ACCEPT;
import static io.github.tcp4j.core.fsm.Action.ENTER_TIME_WAIT_RECORD;
import static io.github.tcp4j.core.fsm.Action.ERROR_ALREADY_EXISTS;
import static io.github.tcp4j.core.fsm.Action.ERROR_CLOSING;
import static io.github.tcp4j.core.fsm.Action.ERROR_NOT_CONNECTED;
import static io.github.tcp4j.core.fsm.Action.PROCESS_ACK;
import static io.github.tcp4j.core.fsm.Action.QUEUE_CALL;
import static io.github.tcp4j.core.fsm.Action.QUEUE_DATA;
import static io.github.tcp4j.core.fsm.Action.RELEASE_TCB;
import static io.github.tcp4j.core.fsm.Action.REOPEN_FROM_TIME_WAIT;
import static io.github.tcp4j.core.fsm.Action.RESTART_TIME_WAIT;
import static io.github.tcp4j.core.fsm.Action.RETURN_TO_LISTEN;
import static io.github.tcp4j.core.fsm.Action.SEND_ACK;
import static io.github.tcp4j.core.fsm.Action.SEND_CHALLENGE_ACK;
import static io.github.tcp4j.core.fsm.Action.SEND_DUP_ACK;
import static io.github.tcp4j.core.fsm.Action.SEND_FIN;
import static io.github.tcp4j.core.fsm.Action.SEND_RST;
import static io.github.tcp4j.core.fsm.Action.SEND_RST_REPLY;
import static io.github.tcp4j.core.fsm.Action.SEND_SYN;
import static io.github.tcp4j.core.fsm.Action.SEND_SYN_ACK;
import static io.github.tcp4j.core.fsm.Action.SIGNAL_CONNECTED;
import static io.github.tcp4j.core.fsm.Action.SIGNAL_REFUSED;
import static io.github.tcp4j.core.fsm.Action.SIGNAL_RESET;
import static io.github.tcp4j.core.fsm.Action.SIGNAL_TIMED_OUT;
import static io.github.tcp4j.core.fsm.TcpEvent.*;
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

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * THE state machine of tcp4j: for every (state, event) pair, the next state and the actions, as
 * data. Built once; the only place that decides a connection's next state. Every one of the
 * 11 x {@link TcpEvent} pairs has an entry, the "nothing happens" ones included, each with the
 * reason and the RFC section ({@code TransitionTableTest} checks completeness, and the docs in
 * {@code docs/state-machine.md} are generated from this table).
 *
 * <p>Choices where implementations differ (see also the comments at each entry):
 * <ul>
 *   <li>A SYN in a synchronized state, and in SYN-RECEIVED, is answered with a challenge ACK
 *       (RFC 5961 section 4), rather than RFC 9293's "return to LISTEN" for SYN-RECEIVED: an
 *       in-window SYN there is as likely forged as a fresh attempt, and a real retransmitted SYN
 *       falls below the window and gets the ordinary ACK.</li>
 *   <li>A RST in TIME-WAIT closes the record only when the stack follows RFC 9293; with RFC 1337
 *       protection on (the default) the classifier reports it as {@link TcpEvent#RCV_IGNORABLE}.</li>
 *   <li>close() after shutdown() is "ok" and sends no second FIN (RFC 9293 3.10.4 allows it); the
 *       connection becomes orphaned, so the FIN-WAIT-2 timeout and the data-after-close RST apply.</li>
 *   <li>A SYN that also carries FIN reaching a listener is dropped (the classifier reports
 *       {@link TcpEvent#RCV_IGNORABLE}), as Linux does: it is a scanner's probe, and RFC 9293's
 *       "queue the FIN for later" would open a connection only to close it.</li>
 *   <li>Giving up on retransmissions or the user timeout closes silently; a keep-alive give-up
 *       sends a RST first, as Linux does.</li>
 * </ul>
 */
public final class TransitionTable {

    private static final TransitionTable STANDARD = buildStandard();

    private final Map<TcpState, EnumMap<TcpEvent, Transition>> cells;

    private TransitionTable(Map<TcpState, EnumMap<TcpEvent, Transition>> cells) {
        this.cells = cells;
    }

    /** The table of RFC 9293 with the choices listed in the class comment. */
    public static TransitionTable standard() {
        return STANDARD;
    }

    /**
     * What happens when {@code event} occurs in {@code state}.
     *
     * @throws IllegalStateException if the table has no entry (it always has; a test proves it)
     */
    public Transition lookup(TcpState state, TcpEvent event) {
        Transition t = cells.get(state).get(event);
        if (t == null) {
            throw new IllegalStateException("no transition for " + state + " x " + event);
        }
        return t;
    }

    // ------------------------------------------------------------------ the table

    private static TransitionTable buildStandard() {
        Builder b = new Builder();

        b.in(CLOSED)
                .go(LISTEN, TcpState.LISTEN, "passive open: wait for a SYN (3.10.1)")
                .go(CONNECT, SYN_SENT, "active open: send SYN (3.10.1)", SEND_SYN, ARM_RETRANSMIT)
                .stayEach("no connection (3.10.2-3.10.5)", List.of(SEND, RECEIVE, SHUTDOWN_OUTPUT, CLOSE, CLOSE_DISCARDING,
                        ABORT), ERROR_NOT_CONNECTED)
                .stayEach("a RST is never answered with a RST (3.10.7.1)", List.of(RCV_RST, RCV_RST_IN_WINDOW, RCV_RST_TO_LISTEN),
                        COUNT_DROP)
                .restOf(TcpEvent.Kind.SEGMENT, "no connection: reply with RST (3.10.7.1)", SEND_RST_REPLY, COUNT_DROP)
                .restOf(TcpEvent.Kind.TIMER, "no timers run without a connection");

        b.in(TcpState.LISTEN)
                .stay(LISTEN, "already listening (3.10.1)", ERROR_ALREADY_EXISTS)
                .go(CONNECT, SYN_SENT, "a listener turns into an active open (3.10.1)", SEND_SYN, ARM_RETRANSMIT)
                .go(SEND, SYN_SENT, "send with a remote address turns the listener active; the data waits (3.10.2)",
                        QUEUE_DATA, SEND_SYN, ARM_RETRANSMIT)
                .stay(RECEIVE, "waits until a connection is established (3.10.3)", QUEUE_CALL)
                .stay(SHUTDOWN_OUTPUT, "a listener has no output to shut down", ERROR_NOT_CONNECTED)
                .go(CLOSE, CLOSED, "the listener is deleted; waiting calls get \"closing\" (3.10.4)", RELEASE_TCB)
                .go(CLOSE_DISCARDING, CLOSED, "the listener is deleted (3.10.4)", RELEASE_TCB)
                .go(ABORT, CLOSED, "the listener is deleted; waiting calls get \"connection reset\" (3.10.5)",
                        SIGNAL_RESET, RELEASE_TCB)
                .go(RCV_SYN, SYN_RECEIVED, "a connection request: send SYN,ACK (3.10.7.2)", SEND_SYN_ACK, ARM_RETRANSMIT)
                .stay(RCV_BAD_ACK, "an ACK in LISTEN acknowledges nothing: <SEQ=SEG.ACK><CTL=RST> (3.10.7.2)",
                        SEND_RST_REPLY, COUNT_DROP)
                .stay(RCV_RST, "a RST in LISTEN is ignored (3.10.7.2)", COUNT_DROP)
                .restOf(TcpEvent.Kind.SEGMENT, "anything else in LISTEN is dropped (3.10.7.2)", COUNT_DROP)
                .restOf(TcpEvent.Kind.TIMER, "a listener runs no connection timers");

        b.in(SYN_SENT)
                .stayEach("the connection already exists (3.10.1)", List.of(LISTEN, CONNECT), ERROR_ALREADY_EXISTS)
                .stay(SEND, "queued until the connection is established (3.10.2)", QUEUE_DATA)
                .stay(RECEIVE, "queued until the connection is established (3.10.3)", QUEUE_CALL)
                .stay(SHUTDOWN_OUTPUT, "the FIN waits until the connection is established", QUEUE_CALL)
                .go(CLOSE, CLOSED, "delete the connection; queued calls get \"closing\" (3.10.4)", CANCEL_TIMERS, RELEASE_TCB)
                .go(CLOSE_DISCARDING, CLOSED, "delete the connection (3.10.4)", CANCEL_TIMERS, RELEASE_TCB)
                .go(ABORT, CLOSED, "delete the connection; queued calls get \"connection reset\" (3.10.5)",
                        CANCEL_TIMERS, SIGNAL_RESET, RELEASE_TCB)
                .go(RCV_SYN_ACK, ESTABLISHED, "our SYN is acknowledged and theirs received: ACK it (3.10.7.3)",
                        PROCESS_ACK, SEND_ACK, SIGNAL_CONNECTED)
                .go(RCV_SYN, SYN_RECEIVED, "simultaneous open: SYN,ACK with the same ISS (3.10.7.3)",
                        SEND_SYN_ACK, ARM_RETRANSMIT)
                .go(RCV_RST, CLOSED, "a RST acknowledging our SYN: connection refused (3.10.7.3)",
                        CANCEL_TIMERS, SIGNAL_REFUSED, RELEASE_TCB)
                .stay(RCV_BAD_ACK, "an ACK of something never sent: <SEQ=SEG.ACK><CTL=RST> (3.10.7.3)",
                        SEND_RST_REPLY, COUNT_DROP)
                .restOf(TcpEvent.Kind.SEGMENT, "neither SYN nor an acceptable RST: dropped (3.10.7.3)", COUNT_DROP)
                .go(SYN_RETRIES_EXHAUSTED, CLOSED, "no answer to our SYNs: connection timed out",
                        CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .go(USER_TIMEOUT, CLOSED, "the user timeout passed (3.10.8)", CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .restOf(TcpEvent.Kind.TIMER, "not armed in SYN-SENT");

        b.in(SYN_RECEIVED)
                .stayEach("the connection already exists (3.10.1)", List.of(LISTEN, CONNECT), ERROR_ALREADY_EXISTS)
                .stay(SEND, "queued until the connection is established (3.10.2)", QUEUE_DATA)
                .stay(RECEIVE, "queued until the connection is established (3.10.3)", QUEUE_CALL)
                .goEach(FIN_WAIT_1, "send FIN after any queued data (3.10.4)", List.of(SHUTDOWN_OUTPUT, CLOSE, CLOSE_DISCARDING),
                        SEND_FIN, ARM_RETRANSMIT)
                .go(ABORT, CLOSED, "reset: <SEQ=SND.NXT><CTL=RST> (3.10.5)", CANCEL_TIMERS, SEND_RST, SIGNAL_RESET, RELEASE_TCB)
                .go(RCV_ACK, ESTABLISHED, "our SYN is acknowledged: the connection is established (3.10.7.4)",
                        PROCESS_ACK, DELIVER_DATA, ENQUEUE_FOR_ACCEPT, SIGNAL_CONNECTED)
                .go(RCV_FIN, CLOSE_WAIT, "established and at once closed by the peer (3.10.7.4)",
                        PROCESS_ACK, DELIVER_DATA, SEND_ACK, DELIVER_EOF, ENQUEUE_FOR_ACCEPT, SIGNAL_CONNECTED)
                .go(RCV_RST, CLOSED, "reset during an active open: connection refused (3.10.7.4)",
                        CANCEL_TIMERS, SIGNAL_REFUSED, RELEASE_TCB)
                .go(RCV_RST_TO_LISTEN, TcpState.LISTEN, "reset of a listener's half-open connection: back to LISTEN (3.10.7.4)",
                        CANCEL_TIMERS, RETURN_TO_LISTEN)
                .stay(RCV_BAD_ACK, "an unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> (3.10.7.4)", SEND_RST_REPLY, COUNT_DROP)
                .stay(RCV_SYN, "an in-window SYN: challenge ACK (RFC 5961 4; see the class comment)", SEND_CHALLENGE_ACK, COUNT_DROP);
        synchronizedDefaults(b, "SYN-RECEIVED");
        b.go(SYN_RETRIES_EXHAUSTED, CLOSED, "the handshake never completed: the half-open connection is dropped",
                        CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .go(USER_TIMEOUT, CLOSED, "the user timeout passed (3.10.8)", CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .restOf(TcpEvent.Kind.TIMER, "not armed in SYN-RECEIVED");

        b.in(ESTABLISHED)
                .stayEach("the connection already exists (3.10.1)", List.of(LISTEN, CONNECT), ERROR_ALREADY_EXISTS)
                .stay(SEND, "data is queued and sent as the windows allow (3.10.2)", QUEUE_DATA)
                .stay(RECEIVE, "reads the receive buffer (3.10.3)")
                .goEach(FIN_WAIT_1, "send FIN after the queued data (3.10.4); after shutdown reading continues",
                        List.of(SHUTDOWN_OUTPUT, CLOSE), SEND_FIN, ARM_RETRANSMIT)
                .go(CLOSE_DISCARDING, CLOSED, "unread data would be lost: reset instead of FIN (RFC 2525 2.17)",
                        CANCEL_TIMERS, SEND_RST, RELEASE_TCB)
                .go(ABORT, CLOSED, "reset: <SEQ=SND.NXT><CTL=RST> (3.10.5)", CANCEL_TIMERS, SEND_RST, SIGNAL_RESET, RELEASE_TCB)
                .stay(RCV_ACK, "acknowledgments and data (3.10.7.4)", PROCESS_ACK, DELIVER_DATA)
                .go(RCV_FIN, CLOSE_WAIT, "the peer closed: ACK its FIN, end of stream (3.10.7.4)",
                        PROCESS_ACK, DELIVER_DATA, SEND_ACK, DELIVER_EOF)
                .go(RCV_RST, CLOSED, "reset by the peer: connection reset (3.10.7.4)", CANCEL_TIMERS, SIGNAL_RESET, RELEASE_TCB);
        synchronizedDefaults(b, "ESTABLISHED");
        openConnectionTimeouts(b);
        b.restOf(TcpEvent.Kind.TIMER, "not armed in ESTABLISHED");

        closingSide(b, FIN_WAIT_1);
        b.stay(RCV_ACK, "acknowledgments and data; our FIN still in flight (3.10.7.4)", PROCESS_ACK, DELIVER_DATA)
                .go(RCV_ACK_OF_FIN, FIN_WAIT_2, "our FIN is acknowledged (3.10.7.4)", PROCESS_ACK, DELIVER_DATA, ARM_FIN_WAIT_2)
                .go(RCV_FIN, CLOSING, "simultaneous close: their FIN before the ACK of ours (3.10.7.4)",
                        PROCESS_ACK, DELIVER_DATA, SEND_ACK, DELIVER_EOF)
                .go(RCV_FIN_ACK_OF_FIN, TIME_WAIT, "their FIN also acknowledges ours: straight to TIME-WAIT (3.10.7.4)",
                        PROCESS_ACK, DELIVER_DATA, SEND_ACK, DELIVER_EOF, CANCEL_TIMERS, ARM_TIME_WAIT, ENTER_TIME_WAIT_RECORD);
        synchronizedDefaults(b, "FIN-WAIT-1");
        b.restOf(TcpEvent.Kind.TIMER, "not armed in FIN-WAIT-1");

        closingSide(b, FIN_WAIT_2);
        b.stay(RCV_ACK, "data from the peer, which has not closed yet (3.10.7.4)", PROCESS_ACK, DELIVER_DATA)
                .go(RCV_FIN, TIME_WAIT, "the peer closed: ACK its FIN, wait 2MSL (3.10.7.4)",
                        PROCESS_ACK, DELIVER_DATA, SEND_ACK, DELIVER_EOF, CANCEL_TIMERS, ARM_TIME_WAIT, ENTER_TIME_WAIT_RECORD)
                .go(FIN_WAIT_2_TIMEOUT, CLOSED, "orphaned and the peer never closed: give up (like Linux's tcp_fin_timeout)",
                        CANCEL_TIMERS, RELEASE_TCB);
        synchronizedDefaults(b, "FIN-WAIT-2");
        b.restOf(TcpEvent.Kind.TIMER, "not armed in FIN-WAIT-2");

        b.in(CLOSE_WAIT)
                .stayEach("the connection already exists (3.10.1)", List.of(LISTEN, CONNECT), ERROR_ALREADY_EXISTS)
                .stay(SEND, "we may still send (3.10.2)", QUEUE_DATA)
                .stay(RECEIVE, "returns what is still buffered, then end of stream (3.10.3)")
                .goEach(LAST_ACK, "send our FIN after the queued data (3.10.4)", List.of(SHUTDOWN_OUTPUT, CLOSE),
                        SEND_FIN, ARM_RETRANSMIT)
                .go(CLOSE_DISCARDING, CLOSED, "unread data would be lost: reset instead of FIN (RFC 2525 2.17)",
                        CANCEL_TIMERS, SEND_RST, RELEASE_TCB)
                .go(ABORT, CLOSED, "reset: <SEQ=SND.NXT><CTL=RST> (3.10.5)", CANCEL_TIMERS, SEND_RST, SIGNAL_RESET, RELEASE_TCB)
                .stay(RCV_ACK, "acknowledgments; no data can follow the peer's FIN (3.10.7.4)", PROCESS_ACK)
                .stay(RCV_FIN, "their FIN again: ACK it again (3.10.7.4)", SEND_ACK)
                .go(RCV_RST, CLOSED, "reset by the peer: connection reset (3.10.7.4)", CANCEL_TIMERS, SIGNAL_RESET, RELEASE_TCB);
        synchronizedDefaults(b, "CLOSE-WAIT");
        openConnectionTimeouts(b);
        b.restOf(TcpEvent.Kind.TIMER, "not armed in CLOSE-WAIT");

        finalSide(b, CLOSING);
        b.stay(RCV_ACK, "acknowledgments; our FIN still in flight (3.10.7.4)", PROCESS_ACK)
                .go(RCV_ACK_OF_FIN, TIME_WAIT, "our FIN is acknowledged: wait 2MSL (3.10.7.4)",
                        PROCESS_ACK, CANCEL_TIMERS, ARM_TIME_WAIT, ENTER_TIME_WAIT_RECORD)
                .stay(RCV_FIN, "their FIN again: ACK it again (3.10.7.4)", SEND_ACK)
                .go(RCV_FIN_ACK_OF_FIN, TIME_WAIT, "their FIN again, now acknowledging ours: wait 2MSL (3.10.7.4)",
                        PROCESS_ACK, SEND_ACK, CANCEL_TIMERS, ARM_TIME_WAIT, ENTER_TIME_WAIT_RECORD);
        synchronizedDefaults(b, "CLOSING");
        b.goEach(CLOSED, "our FIN stayed unacknowledged too long: connection timed out (3.8.3, RFC 5482)",
                        List.of(RETRANSMIT_GIVE_UP, USER_TIMEOUT), CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .restOf(TcpEvent.Kind.TIMER, "not armed in CLOSING");

        finalSide(b, LAST_ACK);
        b.stay(RCV_ACK, "acknowledgments; our FIN still in flight (3.10.7.4)", PROCESS_ACK)
                .go(RCV_ACK_OF_FIN, CLOSED, "our FIN is acknowledged: the connection is gone (3.10.7.4)",
                        PROCESS_ACK, CANCEL_TIMERS, RELEASE_TCB)
                .stay(RCV_FIN, "their FIN again: ACK it again (3.10.7.4)", SEND_ACK)
                .go(RCV_FIN_ACK_OF_FIN, CLOSED, "their FIN again, acknowledging ours: ACK it and close (3.10.7.4)",
                        PROCESS_ACK, SEND_ACK, CANCEL_TIMERS, RELEASE_TCB);
        synchronizedDefaults(b, "LAST-ACK");
        b.goEach(CLOSED, "our FIN stayed unacknowledged too long: connection timed out (3.8.3, RFC 5482)",
                        List.of(RETRANSMIT_GIVE_UP, USER_TIMEOUT), CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .restOf(TcpEvent.Kind.TIMER, "not armed in LAST-ACK");

        finalSide(b, TIME_WAIT);
        b.stay(RCV_ACK, "nothing but a retransmitted FIN is expected here (3.10.7.4)")
                .stayEach("their FIN again: ACK it and restart 2MSL (3.10.7.4)", List.of(RCV_FIN, RCV_FIN_ACK_OF_FIN),
                        SEND_ACK, RESTART_TIME_WAIT)
                .go(RCV_SYN_REOPEN, CLOSED, "a clearly newer SYN reopens the 4-tuple (RFC 6191)",
                        CANCEL_TIMERS, REOPEN_FROM_TIME_WAIT);
        synchronizedDefaults(b, "TIME-WAIT");
        b.go(TIME_WAIT_EXPIRED, CLOSED, "2MSL passed: the last trace of the connection is deleted (3.10.8)", RELEASE_TCB)
                .restOf(TcpEvent.Kind.TIMER, "only the 2MSL timer runs in TIME-WAIT");

        return new TransitionTable(b.build());
    }

    /** User calls and resets shared by FIN-WAIT-1 and FIN-WAIT-2: we closed, the peer has not. */
    private static void closingSide(Builder b, TcpState state) {
        b.in(state)
                .stayEach("the connection already exists (3.10.1)", List.of(LISTEN, CONNECT), ERROR_ALREADY_EXISTS)
                .stay(SEND, "we sent our FIN: no more data (3.10.2)", ERROR_CLOSING)
                .stay(RECEIVE, "the peer may still send (3.10.3)")
                .stay(SHUTDOWN_OUTPUT, "already shut down: ok, no second FIN")
                .stay(CLOSE, "ok, no second FIN; the connection is now orphaned (3.10.4)", ARM_FIN_WAIT_2)
                .go(CLOSE_DISCARDING, CLOSED, "unread data would be lost: reset (RFC 2525 2.17)",
                        CANCEL_TIMERS, SEND_RST, RELEASE_TCB)
                .go(ABORT, CLOSED, "reset: <SEQ=SND.NXT><CTL=RST> (3.10.5)", CANCEL_TIMERS, SEND_RST, SIGNAL_RESET, RELEASE_TCB)
                .go(RCV_DATA_AFTER_CLOSE, CLOSED, "data after the application closed: reset (3.10.7.4, RFC 2525 2.17)",
                        CANCEL_TIMERS, SEND_RST, RELEASE_TCB)
                .go(RCV_RST, CLOSED, "reset by the peer: connection reset (3.10.7.4)", CANCEL_TIMERS, SIGNAL_RESET, RELEASE_TCB);
        openConnectionTimeouts(b);
    }

    /** Timers that end a connection whose peer may still send: keep-alive, retransmission and user timeouts. */
    private static void openConnectionTimeouts(Builder b) {
        b.go(KEEPALIVE_GIVE_UP, CLOSED, "the peer stopped answering keep-alives: reset",
                        CANCEL_TIMERS, SEND_RST, SIGNAL_TIMED_OUT, RELEASE_TCB)
                .goEach(CLOSED, "data or FIN stayed unacknowledged too long: connection timed out (3.8.3, RFC 5482)",
                        List.of(RETRANSMIT_GIVE_UP, USER_TIMEOUT), CANCEL_TIMERS, SIGNAL_TIMED_OUT, RELEASE_TCB);
    }

    /** User calls shared by CLOSING, LAST-ACK and TIME-WAIT: both sides closed (3.10.2-3.10.5). */
    private static void finalSide(Builder b, TcpState state) {
        b.in(state)
                .stayEach("the connection already exists (3.10.1)", List.of(LISTEN, CONNECT), ERROR_ALREADY_EXISTS)
                .stayEach("both sides have closed: \"connection closing\" (3.10.2, 3.10.3)", List.of(SEND, RECEIVE),
                        ERROR_CLOSING)
                .stayEach("ok, nothing more to send (3.10.4)", List.of(SHUTDOWN_OUTPUT, CLOSE, CLOSE_DISCARDING))
                .go(ABORT, CLOSED, "\"ok\": delete the connection, no RST (3.10.5)", CANCEL_TIMERS, RELEASE_TCB)
                .go(RCV_RST, CLOSED, "a RST closes it (3.10.7.4); in TIME-WAIT only when RFC 1337 protection is off",
                        CANCEL_TIMERS, RELEASE_TCB);
    }

    /** The segment checks every synchronized state shares (3.10.7.4, RFC 5961). Entries already set win. */
    private static void synchronizedDefaults(Builder b, String stateName) {
        b.fill(RCV_RST_IN_WINDOW, "a RST not at RCV.NXT: challenge ACK (RFC 5961 3.2)", SEND_CHALLENGE_ACK, COUNT_DROP)
                .fill(RCV_SYN, "a SYN in a synchronized state: challenge ACK (RFC 5961 4)", SEND_CHALLENGE_ACK, COUNT_DROP)
                .fill(RCV_BAD_ACK, "an ACK of unsent data: ACK (rate-limited) and drop (3.10.7.4, RFC 5961 5)", SEND_DUP_ACK,
                        COUNT_DROP)
                .fill(RCV_UNACCEPTABLE, "outside the window: ACK (rate-limited) and drop (3.10.7.4)", SEND_DUP_ACK, COUNT_DROP)
                .restOf(TcpEvent.Kind.SEGMENT, "not expected in " + stateName + ": dropped (3.10.7.4)", COUNT_DROP);
    }

    /**
     * Fills the table one state at a time. {@code go}, {@code stay} and their {@code Each} forms set
     * an entry and refuse a second one for the same pair; {@code fill} and {@code restOf} set only
     * the pairs still empty, for defaults shared by several states.
     */
    private static final class Builder {
        private final Map<TcpState, EnumMap<TcpEvent, Transition>> cells = new EnumMap<>(TcpState.class);
        private TcpState state;

        Builder in(TcpState s) {
            state = s;
            cells.computeIfAbsent(s, k -> new EnumMap<>(TcpEvent.class));
            return this;
        }

        Builder go(TcpEvent e, TcpState next, String why, Action... actions) {
            EnumMap<TcpEvent, Transition> row = cells.get(state);
            if (row.containsKey(e)) {
                throw new IllegalStateException("two entries for " + state + " x " + e);
            }
            row.put(e, new Transition(next, List.of(actions), why));
            return this;
        }

        Builder stay(TcpEvent e, String why, Action... actions) {
            return go(e, state, why, actions);
        }

        Builder goEach(TcpState next, String why, List<TcpEvent> events, Action... actions) {
            events.forEach(e -> go(e, next, why, actions));
            return this;
        }

        Builder stayEach(String why, List<TcpEvent> events, Action... actions) {
            return goEach(state, why, events, actions);
        }

        Builder fill(TcpEvent e, String why, Action... actions) {
            if (!cells.get(state).containsKey(e)) {
                stay(e, why, actions);
            }
            return this;
        }

        /** Every event of {@code kind} still without an entry in this state gets this explicit same-state entry. */
        Builder restOf(TcpEvent.Kind kind, String why, Action... actions) {
            for (TcpEvent e : TcpEvent.values()) {
                if (e.kind() == kind) {
                    fill(e, why, actions);
                }
            }
            return this;
        }

        Map<TcpState, EnumMap<TcpEvent, Transition>> build() {
            return cells;
        }
    }
}
