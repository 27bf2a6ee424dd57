package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.Action;
import io.github.tcp4j.core.fsm.SegmentClassifier;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.Transition;
import io.github.tcp4j.core.fsm.TransitionTable;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import java.util.List;

/**
 * The one place that carries out the state machine's actions. Every event a connection meets,
 * whether a user call, a classified segment or a timer, goes through {@link #fire}: look up
 * (state, event) in the {@link TransitionTable}, take the next state it names, report the
 * transition, run the actions in the table's order. Nothing else sets a connection's state.
 *
 * <p>After the event, work the event left behind runs as further events through the same
 * table: a FIN that waited behind a gap and is now in order (the connection classifies it like
 * any arriving FIN), a shutdown queued in SYN-SENT once the connection is established, and the
 * close of a connection whose TIME-WAIT record the full table refused. Last, the connection sends
 * whatever the windows allow and any ACK it owes ({@link TcpConnection#output()}).
 *
 * <p>One executor per host; not thread-safe, like the rest of the core.
 */
public final class ActionExecutor {

    private final TransitionTable table = TransitionTable.standard();
    private final ConnectionHost host;
    private final TcpSegment finFollowUp = new TcpSegment();

    /** An executor for the connections of {@code host}. */
    public ActionExecutor(ConnectionHost host) {
        this.host = host;
    }

    // ------------------------------------------------------------------ the three kinds of event

    /** A segment arrived for {@code c}: classify it (RFC 9293 3.10.7) and let the table decide. */
    public void segmentArrives(TcpConnection c, TcpSegment seg) {
        TcpEvent event = SegmentClassifier.classify(c, seg);
        if (c.state == TcpState.SYN_RECEIVED && c.passive && c.listener != null
                && (event == TcpEvent.RCV_ACK || event == TcpEvent.RCV_FIN) && !c.listener.admitEstablished()) {
            // The accept queue is full: drop the ACK that would complete the handshake, as Linux
            // does by default; the SYN,ACK's retransmission gives the application time to accept.
            host.countDrop(event);
            return;
        }
        fire(c, event, seg);
        if (!c.scratch && !c.released) {
            c.heardFromPeer();
        }
        afterEvent(c, seg);
    }

    /** The application called {@code event} (a {@link TcpEvent.Kind#USER_CALL}) on {@code c}. */
    public void userCall(TcpConnection c, TcpEvent event) {
        if (event.kind() != TcpEvent.Kind.USER_CALL) {
            throw new IllegalArgumentException("not a user call: " + event);
        }
        fire(c, event, null);
        afterEvent(c, null);
    }

    /** A timer of {@code c} expired with {@code event} (a {@link TcpEvent.Kind#TIMER}). */
    public void timerExpired(TcpConnection c, TcpEvent event) {
        if (event.kind() != TcpEvent.Kind.TIMER) {
            throw new IllegalArgumentException("not a timer: " + event);
        }
        fire(c, event, null);
        afterEvent(c, null);
    }

    /**
     * The retransmission timer of {@code c} expired: resend and back off, or, once the limit is
     * reached, give up through the table (SYN retries in the handshake states, data and FIN
     * retries otherwise: RFC 9293 3.8.3's R2).
     */
    void retransmitTimeout(TcpConnection c) {
        if (c.released || c.sndUna == c.sndNxt) {
            return;
        }
        boolean handshake = !c.synAcked;
        int limit = handshake ? (c.passive ? c.config.synAckRetries() : c.config.synRetries()) : c.config.dataRetries();
        if (c.retries >= limit) {
            boolean synState = c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED;
            timerExpired(c, handshake && synState ? TcpEvent.SYN_RETRIES_EXHAUSTED : TcpEvent.RETRANSMIT_GIVE_UP);
            return;
        }
        c.retransmitAfterTimeout();
    }

    /** The keep-alive timer of {@code c} expired: probe, or give up through the table when the probes went unanswered. */
    void keepAliveTimeout(TcpConnection c) {
        if (c.keepAliveDue()) {
            timerExpired(c, TcpEvent.KEEPALIVE_GIVE_UP);
        }
    }

    /**
     * The persist timer of {@code c} expired: probe the peer's zero window (or send what the SWS
     * rule held back); after {@link TcpConfig#dataRetries()} unanswered probes, give up through
     * the table as for retransmissions (RFC 9293 MUST-37 keeps the connection only while the
     * peer answers).
     */
    void persistTimeout(TcpConnection c) {
        if (c.persistProbesExhausted()) {
            timerExpired(c, TcpEvent.RETRANSMIT_GIVE_UP);
            return;
        }
        c.persistExpired();
    }

    /** The delayed-ACK timer of {@code c} expired: the ACK owed goes out. */
    void delayedAckTimeout(TcpConnection c) {
        c.delayedAckDue();
        c.output();
    }

    /** Sends what {@code c} may send now (after an option changed, e.g. Nagle turned off). */
    void flush(TcpConnection c) {
        c.output();
    }

    // ------------------------------------------------------------------ the table

    /** Looks up (state, event), moves to the next state, reports it, runs the actions. */
    void fire(TcpConnection c, TcpEvent event, TcpSegment seg) {
        TcpState from = c.state();
        Transition t = table.lookup(from, event);
        TcpState to = t.next();
        c.state = to;
        if (to.isSynchronized()) {
            c.everSynchronized = true;
        }
        host.publish(c, from, event, to, seg);
        List<Action> actions = t.actions();
        for (int i = 0; i < actions.size(); i++) {
            run(c, actions.get(i), event, seg);
        }
    }

    private void run(TcpConnection c, Action action, TcpEvent event, TcpSegment seg) {
        switch (action) {
            case SEND_SYN -> {
                if (!c.issChosen) {
                    c.chooseIss();
                }
                c.sendSyn(false);
            }
            case SEND_SYN_ACK -> {
                if (seg != null && seg.has(TcpFlags.SYN)) {
                    if (!c.issChosen) {
                        c.chooseIss();
                    }
                    c.acceptPeerSyn(seg);
                }
                c.sendSyn(true);
            }
            case SEND_ACK -> c.ackNeeded = true;
            case SEND_DUP_ACK -> {
                if (c.allowDupAck(seg)) {
                    c.ackNeeded = true;
                }
            }
            case SEND_CHALLENGE_ACK -> {
                if (host.allowChallengeAck()) {
                    c.sendChallengeAck();
                }
            }
            case SEND_FIN -> c.finQueued = true;
            case SEND_RST_REPLY -> c.sendRstReply(seg);
            case SEND_RST -> c.sendRst();
            case QUEUE_DATA -> {
                if (c.outputShutdown) {
                    c.callError = TcpError.CLOSING; // a shutdown queued in SYN-SENT: no more data (3.10.2)
                } else {
                    c.queueCallData();
                }
            }
            case PROCESS_ACK -> c.processAck(seg);
            case DELIVER_DATA -> c.deliverData(seg, event == TcpEvent.RCV_FIN || event == TcpEvent.RCV_FIN_ACK_OF_FIN);
            case DELIVER_EOF -> c.notifyApp(TcpConnection.READABLE);
            case ARM_RETRANSMIT -> c.armRetransmit();
            case ARM_TIME_WAIT -> {
                // Nothing to arm here: the compact record that ENTER_TIME_WAIT_RECORD makes carries the
                // 2MSL deadline, and the TIME-WAIT table's FIFO is the timer (see TimeWaitTable).
            }
            case RESTART_TIME_WAIT -> host.restartTimeWait(c);
            case ARM_FIN_WAIT_2 -> c.armFinWait2IfOrphaned();
            case CANCEL_TIMERS -> c.cancelTimers();
            case SIGNAL_CONNECTED -> c.notifyApp(TcpConnection.CONNECTED);
            case SIGNAL_REFUSED -> fail(c, TcpError.REFUSED);
            case SIGNAL_RESET -> fail(c, TcpError.RESET);
            case SIGNAL_TIMED_OUT -> fail(c, TcpError.TIMED_OUT);
            case ERROR_NOT_CONNECTED -> c.callError = TcpError.NOT_CONNECTED;
            case ERROR_ALREADY_EXISTS -> c.callError = TcpError.ALREADY_EXISTS;
            case ERROR_CLOSING -> c.callError = TcpError.CLOSING;
            case QUEUE_CALL -> {
                if (event == TcpEvent.SHUTDOWN_OUTPUT) {
                    c.shutdownPending = true; // the FIN follows once the connection is established
                }
                // A receive needs no queueing: it is not blocking here, and reads what arrives later.
            }
            case ENQUEUE_FOR_ACCEPT -> {
                if (c.listener != null) {
                    c.listener.enqueue(c);
                }
            }
            case RETURN_TO_LISTEN -> returnToListen(c);
            case RELEASE_TCB -> release(c);
            case ENTER_TIME_WAIT_RECORD -> enterTimeWait(c);
            case REOPEN_FROM_TIME_WAIT -> host.reopenFromTimeWait(c, seg);
            case COUNT_DROP -> host.countDrop(event);
        }
    }

    // ------------------------------------------------------------------ actions with more to them

    private void fail(TcpConnection c, TcpError error) {
        c.failure = error;
        c.softError = error;
        c.notifyApp(TcpConnection.FAILED);
    }

    /** The half-open copy of the listener disappears; the listener itself never left LISTEN. */
    private void returnToListen(TcpConnection c) {
        if (c.listener != null) {
            c.listener.forget(c);
            c.listener = null;
        }
        host.unregister(c);
        c.applicationClosed = true;
        c.releaseSendSide();
        c.released = true;
    }

    /** The protocol is done with the connection: flush what it owes, unregister, free its buffers. */
    private void release(TcpConnection c) {
        if (c.released) {
            return;
        }
        if (c.timeWaitRecorded) {
            host.removeTimeWait(c); // the compact record is what is left of the connection
            c.timeWaitRecorded = false;
            c.released = true;
            return;
        }
        c.output(); // e.g. LAST-ACK: their FIN again, now acknowledging ours: the ACK goes out first
        if (c.listener != null) {
            if (c.listener.controlBlock() == c) {
                c.listener.resetQueued();
            } else {
                c.listener.forget(c);
            }
        }
        host.unregister(c);
        c.releaseSendSide();
        c.released = true;
        c.notifyApp(TcpConnection.RELEASED);
    }

    /** The ACK of their FIN goes out, then a compact record replaces the control block. */
    private void enterTimeWait(TcpConnection c) {
        c.output();
        boolean recorded = host.enterTimeWait(c);
        c.releaseSendSide();
        if (recorded) {
            c.timeWaitRecorded = true;
        } else {
            c.timeWaitRefused = true; // the table is full and refuses: straight to CLOSED (afterEvent)
        }
        c.notifyApp(TcpConnection.RELEASED);
    }

    // ------------------------------------------------------------------ what an event leaves behind

    private void afterEvent(TcpConnection c, TcpSegment seg) {
        for (int round = 0; round < 4; round++) {
            if (c.timeWaitRefused) {
                c.timeWaitRefused = false;
                c.timeWaitRecorded = false;
                fire(c, TcpEvent.TIME_WAIT_EXPIRED, null);
            } else if (c.finFollowUp) {
                c.finFollowUp = false;
                if (!c.finReceived && !c.released && seg != null) {
                    // The FIN that waited behind a gap is in order now: classify it as it would have
                    // been had it arrived now (seq = RCV.NXT, no new ACK).
                    finFollowUp.clear().sourcePort(seg.sourcePort()).destinationPort(seg.destinationPort())
                            .seq(c.rcvNxt).ack(c.sndUna).flags(TcpFlags.FIN | TcpFlags.ACK).window(seg.window());
                    if (seg.hasTimestamps()) {
                        finFollowUp.timestamps(seg.tsVal(), seg.tsEcr());
                    }
                    fire(c, SegmentClassifier.classify(c, finFollowUp), finFollowUp);
                }
            } else if (c.shutdownPending && (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT)) {
                c.shutdownPending = false;
                fire(c, TcpEvent.SHUTDOWN_OUTPUT, null);
            } else {
                break;
            }
        }
        deliverNotifications(c);
        c.output();
    }

    /**
     * Tells the application what the event did, once the event is complete: a handler may call
     * the connection again (read, write, close), and that call then runs as an event of its own.
     * This runs before the final output, so a close() made on end of stream sends its FIN with
     * the ACK of the peer's FIN, as a stack with a prompt application does.
     */
    private void deliverNotifications(TcpConnection c) {
        for (int round = 0; round < 8 && c.notifications != 0; round++) {
            int bits = c.notifications;
            c.notifications = 0;
            ConnectionHandler h = c.handler;
            if ((bits & TcpConnection.ACCEPTABLE) != 0 && c.acceptedBy != null) {
                TcpListener l = c.acceptedBy;
                c.acceptedBy = null;
                l.notifyAcceptable();
            }
            if ((bits & TcpConnection.CONNECTED) != 0) {
                h.onConnected(c);
            }
            if ((bits & TcpConnection.READABLE) != 0) {
                h.onReadable(c);
            }
            if ((bits & TcpConnection.WRITABLE) != 0) {
                h.onWritable(c);
            }
            if ((bits & TcpConnection.FAILED) != 0 && c.failure != null) {
                h.onError(c, c.failure);
            }
            if ((bits & TcpConnection.RELEASED) != 0) {
                h.onReleased(c);
            }
        }
    }
}
