package io.github.tcp4j.core.conn;

import java.util.Objects;

/**
 * A user call failed for a reason the protocol defines (see {@link TcpError}). Unchecked, like
 * {@link IllegalStateException}: each call documents which errors it may raise, and the socket
 * facade turns them into {@code java.net} exceptions.
 */
public final class TcpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient TcpError error;

    /** A failure for {@code error}, with a detail such as the connection. */
    public TcpException(TcpError error, String detail) {
        super(Objects.requireNonNull(error, "error").message() + (detail == null ? "" : ": " + detail));
        this.error = error;
    }

    /** Why the call failed. */
    public TcpError error() {
        return error;
    }
}
