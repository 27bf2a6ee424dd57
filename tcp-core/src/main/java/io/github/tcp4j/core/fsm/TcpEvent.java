package io.github.tcp4j.core.fsm;

/**
 * What can happen to a connection: a user call, a classified segment arrival, or a timer expiry
 * (RFC 9293 section 3.10 groups events the same way).
 *
 * <p>Segments are not events by themselves: before the table decides, an arriving segment is
 * classified by the checks of RFC 9293 section 3.10.7, in the RFC's order, for the state at hand
 * (sequence acceptability, RST, SYN, ACK, FIN), into exactly one of the {@code RCV_*} events. The
 * classifier needs sequence numbers and windows; the table never does.
 */
public enum TcpEvent {

    // ------------------------------------------------------------------ user calls (RFC 9293 3.10.1-3.10.6)

    /** listen(): a passive OPEN. */
    LISTEN(Kind.USER_CALL, "listen()"),
    /** connect(): an active OPEN. */
    CONNECT(Kind.USER_CALL, "connect()"),
    /** send(): the application writes data. */
    SEND(Kind.USER_CALL, "send()"),
    /** receive(): the application reads. */
    RECEIVE(Kind.USER_CALL, "receive()"),
    /** shutdown(SHUT_WR): no more data from us; reading continues (a half-close). */
    SHUTDOWN_OUTPUT(Kind.USER_CALL, "shutdown(output)"),
    /** close(): no more data from us, and the application will not read either. */
    CLOSE(Kind.USER_CALL, "close()"),
    /** close() while received data is still unread: the connection is reset, not closed (RFC 9293 SHLD-3, RFC 2525 2.17). */
    CLOSE_DISCARDING(Kind.USER_CALL, "close() with unread data"),
    /** abort(): reset the connection at once (like close with SO_LINGER 0). */
    ABORT(Kind.USER_CALL, "abort()"),

    // ------------------------------------------------------------------ classified segments (RFC 9293 3.10.7)

    /** A SYN without ACK: a connection request (LISTEN), a simultaneous open (SYN-SENT), or a SYN in a synchronized state (RFC 5961 section 4). */
    RCV_SYN(Kind.SEGMENT, "SYN"),
    /** In SYN-SENT: a SYN,ACK whose ACK acknowledges our SYN. */
    RCV_SYN_ACK(Kind.SEGMENT, "SYN,ACK"),
    /** In TIME-WAIT: a SYN that may reopen the connection, being clearly newer than the old one (RFC 6191). */
    RCV_SYN_REOPEN(Kind.SEGMENT, "SYN (new incarnation)"),
    /** An acceptable segment with an acceptable ACK that does not complete our FIN, without FIN; it may carry data. */
    RCV_ACK(Kind.SEGMENT, "ACK"),
    /** An acceptable segment whose ACK acknowledges our FIN, without FIN. */
    RCV_ACK_OF_FIN(Kind.SEGMENT, "ACK of our FIN"),
    /** An acceptable FIN, in sequence (earlier data all received), that does not acknowledge our FIN; it may carry data. */
    RCV_FIN(Kind.SEGMENT, "FIN"),
    /** An acceptable FIN, in sequence, that also acknowledges our FIN. */
    RCV_FIN_ACK_OF_FIN(Kind.SEGMENT, "FIN + ACK of our FIN"),
    /** New data after the application closed (it will never read it): RFC 9293 3.10.7.4 / RFC 2525 2.17. */
    RCV_DATA_AFTER_CLOSE(Kind.SEGMENT, "data after close"),
    /** An acceptable RST: its SEQ is exactly RCV.NXT (RFC 5961 section 3), or, in SYN-SENT, its ACK acknowledges our SYN. */
    RCV_RST(Kind.SEGMENT, "RST"),
    /** An acceptable RST in SYN-RECEIVED on a connection that a listener opened: back to LISTEN (RFC 9293 3.10.7.4). */
    RCV_RST_TO_LISTEN(Kind.SEGMENT, "RST (listener's connection)"),
    /** A RST inside the window but not exactly at RCV.NXT: answered with a challenge ACK (RFC 5961 section 3.2). */
    RCV_RST_IN_WINDOW(Kind.SEGMENT, "RST in window"),
    /** An ACK of something never sent: any ACK in LISTEN, an unacceptable ACK in SYN-SENT or SYN-RECEIVED, an ACK beyond SND.NXT (RFC 5961 section 5). */
    RCV_BAD_ACK(Kind.SEGMENT, "unacceptable ACK"),
    /** A segment outside the receive window (the acceptability test of RFC 9293 3.10.7.4 fails). */
    RCV_UNACCEPTABLE(Kind.SEGMENT, "out-of-window segment"),
    /** A segment to drop without a reply: a RST outside the window, a segment without ACK in a synchronized state, and the like. */
    RCV_IGNORABLE(Kind.SEGMENT, "segment to drop"),

    // ------------------------------------------------------------------ timers

    /** Retransmissions of data or FIN reached the limit R2 (RFC 9293 3.8.3). */
    RETRANSMIT_GIVE_UP(Kind.TIMER, "retransmission limit"),
    /** Retransmissions of SYN or SYN,ACK reached their limit. */
    SYN_RETRIES_EXHAUSTED(Kind.TIMER, "SYN retries exhausted"),
    /** 2MSL passed in TIME-WAIT. */
    TIME_WAIT_EXPIRED(Kind.TIMER, "2MSL expired"),
    /** An orphaned FIN-WAIT-2 (the application closed) waited its limit for the peer's FIN. */
    FIN_WAIT_2_TIMEOUT(Kind.TIMER, "FIN-WAIT-2 timeout"),
    /** Data stayed unacknowledged longer than the user timeout (RFC 5482). */
    USER_TIMEOUT(Kind.TIMER, "user timeout"),
    /** Keep-alive probes went unanswered. */
    KEEPALIVE_GIVE_UP(Kind.TIMER, "keep-alive gave up");

    /** Where an event comes from. */
    public enum Kind {
        /** The application called the socket API. */
        USER_CALL,
        /** A segment arrived and was classified. */
        SEGMENT,
        /** A timer expired. */
        TIMER
    }

    private final Kind kind;
    private final String label;

    TcpEvent(Kind kind, String label) {
        this.kind = kind;
        this.label = label;
    }

    /** Where the event comes from. */
    public Kind kind() {
        return kind;
    }

    /** A short label for tables and diagrams, e.g. "SYN,ACK" or "close()". */
    public String label() {
        return label;
    }
}
