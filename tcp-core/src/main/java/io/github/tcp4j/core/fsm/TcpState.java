package io.github.tcp4j.core.fsm;

/**
 * The eleven states of a TCP connection (RFC 9293 section 3.3.2), in the order the RFC lists them.
 *
 * <p>Each constant says what the state means, how a connection gets there, and what each user
 * call does in it, after RFC 9293 section 3.10 ("Event Processing"). The calls are named as the
 * socket API names them: {@code connect} (an active OPEN), {@code listen} (a passive OPEN),
 * {@code accept}, {@code send}, {@code receive}, {@code shutdown} (of output: a half-close, the
 * socket API's SHUT_WR), {@code close} and {@code abort} (a reset, like SO_LINGER 0). Where the
 * RFC answers a call with an error, the text in quotes is the RFC's error string; the socket API
 * (a later issue) reports it as the matching {@code java.net} exception.
 *
 * <p>The transitions themselves live in the state machine's table, not here.
 */
public enum TcpState {

    /**
     * No connection: there is no transmission control block (TCB). A fictional state: every
     * connection starts and ends here.
     * <ul>
     *   <li>connect: sends SYN, goes to {@link #SYN_SENT}. listen: goes to {@link #LISTEN}.</li>
     *   <li>accept, send, receive, shutdown, close, abort: "error: connection does not exist".</li>
     *   <li>An arriving segment is answered with RST, unless it is itself a RST (RFC 9293 3.10.7.1).</li>
     * </ul>
     */
    CLOSED("CLOSED"),

    /**
     * Waiting for a connection request from any remote endpoint: a server socket.
     * <ul>
     *   <li>accept: returns (or waits for) a connection that has completed its handshake.</li>
     *   <li>A SYN starts a new connection in {@link #SYN_RECEIVED}; a RST is ignored; an ACK is
     *       answered with RST (RFC 9293 3.10.7.2).</li>
     *   <li>connect (or send with a remote address): turns into an active open, sends SYN, goes to
     *       {@link #SYN_SENT} (RFC 9293 3.10.2). listen again: "error: connection already exists".</li>
     *   <li>receive: waits until a connection is established.</li>
     *   <li>close, abort: the listener is deleted, back to {@link #CLOSED}; waiting calls fail.</li>
     *   <li>shutdown: "error: connection does not exist" (nothing to shut down).</li>
     * </ul>
     */
    LISTEN("LISTEN"),

    /**
     * A SYN was sent (active open); waiting for the matching SYN (and the ACK of ours).
     * <ul>
     *   <li>A SYN,ACK that acknowledges our SYN: send ACK, go to {@link #ESTABLISHED}. A bare SYN
     *       (both ends connected at once: simultaneous open): send SYN,ACK, go to
     *       {@link #SYN_RECEIVED}. A RST that acknowledges our SYN: "connection refused".</li>
     *   <li>send, receive, shutdown: queued until the connection is established.</li>
     *   <li>close, abort: the connection is deleted, back to {@link #CLOSED}; queued calls fail with
     *       "error: closing" / "connection reset". connect, listen: "error: connection already exists".</li>
     *   <li>If the SYN retransmissions run out: "connection timed out".</li>
     * </ul>
     */
    SYN_SENT("SYN-SENT"),

    /**
     * A SYN was received and a SYN,ACK sent; waiting for the ACK that completes the handshake.
     * <ul>
     *   <li>The ACK of our SYN: go to {@link #ESTABLISHED} (a listener's connection becomes
     *       ready to accept). A RST: back to {@link #LISTEN} if the connection came from a listener,
     *       otherwise {@link #CLOSED} with "connection refused".</li>
     *   <li>send, receive: queued until established.</li>
     *   <li>close: if nothing was sent, send FIN and go to {@link #FIN_WAIT_1}; otherwise after
     *       the queued data. abort: send RST, go to {@link #CLOSED}.</li>
     *   <li>connect, listen: "error: connection already exists".</li>
     * </ul>
     */
    SYN_RECEIVED("SYN-RECEIVED"),

    /**
     * An open connection: data flows both ways. The normal state of the data transfer phase.
     * <ul>
     *   <li>send, receive: allowed.</li>
     *   <li>close (or shutdown of output): send FIN after the queued data, go to
     *       {@link #FIN_WAIT_1}. After close, newly arriving data is answered with RST; after
     *       shutdown, reading continues.</li>
     *   <li>A FIN from the peer: go to {@link #CLOSE_WAIT}; receive then returns end of stream.</li>
     *   <li>abort: send RST, go to {@link #CLOSED}. connect, listen: "error: connection already exists".</li>
     * </ul>
     */
    ESTABLISHED("ESTABLISHED"),

    /**
     * We sent a FIN (active close); waiting for its ACK, or for the peer's FIN.
     * <ul>
     *   <li>The ACK of our FIN: go to {@link #FIN_WAIT_2}. The peer's FIN that also acknowledges
     *       ours: go straight to {@link #TIME_WAIT}. The peer's FIN without that ACK (both ends
     *       closed at once: simultaneous close): go to {@link #CLOSING}.</li>
     *   <li>receive: allowed (data the peer still sends). send, shutdown, close: "error: connection
     *       closing" (a second close sends no second FIN).</li>
     *   <li>abort: send RST, go to {@link #CLOSED}.</li>
     * </ul>
     */
    FIN_WAIT_1("FIN-WAIT-1"),

    /**
     * Our FIN is acknowledged; waiting for the peer's FIN. A peer that never closes holds the
     * connection here: if our application has closed (the connection is orphaned) a timeout
     * ends it (60 s by default, like Linux's tcp_fin_timeout); if it only shut down output, the
     * connection waits as long as the peer keeps it open.
     * <ul>
     *   <li>The peer's FIN: send ACK, go to {@link #TIME_WAIT}.</li>
     *   <li>receive: allowed. send, shutdown, close: "error: connection closing".</li>
     *   <li>abort: send RST, go to {@link #CLOSED}.</li>
     * </ul>
     */
    FIN_WAIT_2("FIN-WAIT-2"),

    /**
     * The peer sent a FIN (passive close) and we acknowledged it; waiting for our application to
     * close. The peer can no longer send, we still can.
     * <ul>
     *   <li>send: allowed. receive: returns the data still buffered, then end of stream ("error:
     *       connection closing").</li>
     *   <li>close (or shutdown of output): send FIN, go to {@link #LAST_ACK}.</li>
     *   <li>abort: send RST, go to {@link #CLOSED}.</li>
     * </ul>
     */
    CLOSE_WAIT("CLOSE-WAIT"),

    /**
     * Both ends sent a FIN at about the same time (simultaneous close) and ours is not yet
     * acknowledged; the rarest state.
     * <ul>
     *   <li>The ACK of our FIN: go to {@link #TIME_WAIT}.</li>
     *   <li>send, receive, shutdown, close: "error: connection closing".</li>
     *   <li>abort: "ok", the connection is deleted, {@link #CLOSED}.</li>
     * </ul>
     */
    CLOSING("CLOSING"),

    /**
     * We sent our FIN after the peer's (passive close); waiting for its ACK.
     * <ul>
     *   <li>The ACK of our FIN: go to {@link #CLOSED}; the connection is gone.</li>
     *   <li>send, receive, shutdown, close: "error: connection closing".</li>
     *   <li>abort: "ok", the connection is deleted, {@link #CLOSED}.</li>
     * </ul>
     */
    LAST_ACK("LAST-ACK"),

    /**
     * Both FINs are exchanged and acknowledged; the end that closed first waits two maximum
     * segment lifetimes (2MSL), for two reasons: to acknowledge the peer's FIN again should our
     * last ACK be lost, and to let old duplicate segments of this connection die out before a new
     * connection reuses its 4-tuple. Meanwhile the local port is in use ("address already in use"
     * unless reuse-address is set).
     * <ul>
     *   <li>A retransmitted FIN: send ACK again and restart the 2MSL timer.</li>
     *   <li>A new SYN may reopen the connection when it is clearly new (RFC 6191); a RST is ignored
     *       by default (RFC 1337).</li>
     *   <li>send, receive, shutdown, close: "error: connection closing". abort: "ok", the
     *       connection is deleted.</li>
     *   <li>After 2MSL: {@link #CLOSED}.</li>
     * </ul>
     */
    TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(String rfcName) {
        this.rfcName = rfcName;
    }

    /** The state's name as RFC 9293 writes it, e.g. "SYN-RECEIVED". */
    public String rfcName() {
        return rfcName;
    }

    /**
     * True once both ends' sequence numbers are synchronized: {@link #ESTABLISHED} and every
     * state after it. RFC 9293 3.10.7.4 treats SYNs and unacceptable segments differently in
     * these states.
     */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }
}
