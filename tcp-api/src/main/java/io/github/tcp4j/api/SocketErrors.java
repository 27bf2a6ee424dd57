package io.github.tcp4j.api;

import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/** Turns the core's {@link TcpError}s into the {@code java.net} exceptions a Java developer expects. */
final class SocketErrors {

    private SocketErrors() {
    }

    static IOException toIo(TcpException e) {
        IOException io = switch (e.error()) {
            case REFUSED -> new ConnectException("Connection refused");
            case RESET -> new ConnectionResetException(null);
            case BROKEN_PIPE -> new BrokenPipeException(null);
            case TIMED_OUT -> new SocketException("Connection timed out");
            case ADDRESS_IN_USE -> new BindException("Address already in use");
            case NO_FREE_PORT -> new BindException("Cannot assign requested address: no free local port");
            case ADDRESS_NOT_AVAILABLE -> new NoRouteToHostException("Cannot assign requested address");
            case NOT_CONNECTED -> new SocketException("Socket is not connected");
            case ALREADY_EXISTS -> new SocketException("Already connected");
            case CLOSING -> new SocketException("Socket output is shutdown");
            case SOCKET_CLOSED -> new SocketException("Socket is closed");
        };
        io.initCause(e);
        return io;
    }

    /** Runs a core call, translating its failure. */
    static <T> T translate(IoSupplier<T> call) throws IOException {
        try {
            return call.get();
        } catch (TcpException e) {
            throw toIo(e);
        }
    }

    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }
}
