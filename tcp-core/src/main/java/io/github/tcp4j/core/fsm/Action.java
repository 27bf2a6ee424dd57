package io.github.tcp4j.core.fsm;

/**
 * The closed set of things a transition may do. The table lists them in the order they run; one
 * executor (with the connection) carries them out.
 */
public enum Action {
    /** Send SYN (active open, or again on retransmission). */
    SEND_SYN,
    /** Send SYN,ACK (passive open, simultaneous open). */
    SEND_SYN_ACK,
    /** Send an ACK for what was received (or, for an unacceptable segment, the ACK RFC 9293 3.10.7.4 asks for). */
    SEND_ACK,
    /**
     * Send the ACK that answers an unacceptable segment or an ACK of unsent data, at most one per
     * connection per interval (Linux's tcp_invalid_ratelimit; RFC 5961 section 7 asks for such
     * limits): two ends that each reject the other's segments cannot ping-pong ACKs.
     */
    SEND_DUP_ACK,
    /** Send a challenge ACK, rate-limited (RFC 5961 sections 3.2, 4.2, 5.2). */
    SEND_CHALLENGE_ACK,
    /** Send FIN once the queued data has been sent. */
    SEND_FIN,
    /** Send the RST that answers a segment: {@code <SEQ=SEG.ACK><CTL=RST>}, or {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>} when it had no ACK. */
    SEND_RST_REPLY,
    /** Send {@code <SEQ=SND.NXT><CTL=RST>}: we reset the connection (abort, close with unread data, timeouts, data after close). */
    SEND_RST,
    /** Queue the application's data for sending (sent as soon as the state and windows allow). */
    QUEUE_DATA,
    /** Process the segment's ACK: advance SND.UNA, update the send window, trim the retransmission queue (RFC 9293 3.10.7.4 fifth check). */
    PROCESS_ACK,
    /** Process the segment's data: reassemble, deliver in order to the application. */
    DELIVER_DATA,
    /** Tell the application end of stream: the peer sent FIN. */
    DELIVER_EOF,
    /** Start (or keep) the retransmission timer for what is in flight. */
    ARM_RETRANSMIT,
    /** Start the 2MSL timer. */
    ARM_TIME_WAIT,
    /** Restart the 2MSL timer (a retransmitted FIN arrived in TIME-WAIT). */
    RESTART_TIME_WAIT,
    /** Start the FIN-WAIT-2 timer if the application has closed (an orphaned connection). */
    ARM_FIN_WAIT_2,
    /** Cancel every timer of the connection. */
    CANCEL_TIMERS,
    /** Wake connect(): the connection is established. */
    SIGNAL_CONNECTED,
    /** Fail connect() with "connection refused". */
    SIGNAL_REFUSED,
    /** Fail pending and later calls with "connection reset". */
    SIGNAL_RESET,
    /** Fail pending and later calls with "connection timed out". */
    SIGNAL_TIMED_OUT,
    /** Answer the call with "error: connection does not exist". */
    ERROR_NOT_CONNECTED,
    /** Answer the call with "error: connection already exists". */
    ERROR_ALREADY_EXISTS,
    /** Answer the call with "error: connection closing" (for receive: end of stream). */
    ERROR_CLOSING,
    /** Queue the call until the connection is established. */
    QUEUE_CALL,
    /** Hand the established connection to the listener's accept queue. */
    ENQUEUE_FOR_ACCEPT,
    /** Return the half-open connection to its listener (RST in SYN-RECEIVED after a passive open). */
    RETURN_TO_LISTEN,
    /** Release the control block and its buffers. */
    RELEASE_TCB,
    /** Replace the control block by the compact TIME-WAIT record. */
    ENTER_TIME_WAIT_RECORD,
    /** Drop the TIME-WAIT record and hand the SYN to the listener, as a new connection (RFC 6191). */
    REOPEN_FROM_TIME_WAIT,
    /** Count the segment as dropped. */
    COUNT_DROP
}
