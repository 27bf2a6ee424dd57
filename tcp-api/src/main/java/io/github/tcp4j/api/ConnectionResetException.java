package io.github.tcp4j.api;

import java.net.SocketException;

/** "Connection reset": the peer reset the connection (ECONNRESET). A {@link SocketException}, so existing handlers catch it. */
public final class ConnectionResetException extends SocketException {

    private static final long serialVersionUID = 1L;

    /** With the JDK's message, "Connection reset", and a detail. */
    public ConnectionResetException(String detail) {
        super("Connection reset" + (detail == null ? "" : " (" + detail + ")"));
    }
}
