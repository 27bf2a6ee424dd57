package io.github.tcp4j.core.conn;

/**
 * Why a user call failed, in the words of RFC 9293 section 3.10 and of the socket API. The
 * socket facade maps each to the {@code java.net} exception a Java developer expects.
 */
public enum TcpError {
    /** "error: connection does not exist" (RFC 9293 3.10): the call needs a connection and there is none (ENOTCONN). */
    NOT_CONNECTED("connection does not exist"),
    /** "error: connection already exists" (RFC 9293 3.10.1): connect or listen on a connection that is open (EISCONN). */
    ALREADY_EXISTS("connection already exists"),
    /** "error: connection closing" (RFC 9293 3.10.2): send after our FIN was sent or queued. */
    CLOSING("connection closing"),
    /** The peer answered our SYN with RST: nobody listens there (ECONNREFUSED). */
    REFUSED("connection refused"),
    /** The peer reset the connection (ECONNRESET). */
    RESET("connection reset"),
    /** A send after the connection was reset and that error was reported: the EPIPE / SIGPIPE case. */
    BROKEN_PIPE("broken pipe"),
    /** Retransmissions or the user timeout ran out (ETIMEDOUT). */
    TIMED_OUT("connection timed out"),
    /** The local address and port are taken (EADDRINUSE). */
    ADDRESS_IN_USE("address already in use"),
    /** No ephemeral port is free for this destination (EADDRNOTAVAIL). */
    NO_FREE_PORT("no free local port"),
    /** The local address is not one of the stack's (EADDRNOTAVAIL). */
    ADDRESS_NOT_AVAILABLE("address not available"),
    /** The application already closed this socket; nothing more can be done with it (EBADF). */
    SOCKET_CLOSED("socket closed");

    private final String message;

    TcpError(String message) {
        this.message = message;
    }

    /** The message, e.g. "connection refused". */
    public String message() {
        return message;
    }
}
