package io.github.tcp4j.core.conn;

/**
 * What the application hears from its connection, on the stack's thread (the socket facade
 * turns these into woken threads and completed futures). Every method has an empty default.
 */
public interface ConnectionHandler {

    /** The handshake completed: data may flow. */
    default void onConnected(TcpConnection connection) {
    }

    /** Data, or the end of the stream, can be read. */
    default void onReadable(TcpConnection connection) {
    }

    /** Room was made in the send buffer (the peer acknowledged data). */
    default void onWritable(TcpConnection connection) {
    }

    /** The connection failed: refused, reset or timed out. Further calls report the error as documented. */
    default void onError(TcpConnection connection, TcpError error) {
    }

    /** The protocol is done with the connection (it reached CLOSED, or TIME-WAIT's compact record took over). */
    default void onReleased(TcpConnection connection) {
    }

    /** The handler that ignores everything. */
    ConnectionHandler NONE = new ConnectionHandler() {
    };
}
