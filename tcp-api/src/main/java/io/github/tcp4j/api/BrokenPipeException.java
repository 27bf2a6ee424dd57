package io.github.tcp4j.api;

import java.net.SocketException;

/**
 * "Broken pipe": a write to a connection that was reset and whose reset was already reported
 * (EPIPE; a C program also gets SIGPIPE). A {@link SocketException}, so existing handlers catch it.
 */
public final class BrokenPipeException extends SocketException {

    private static final long serialVersionUID = 1L;

    /** With the JDK's message, "Broken pipe", and a detail. */
    public BrokenPipeException(String detail) {
        super("Broken pipe" + (detail == null ? "" : " (" + detail + ")"));
    }
}
