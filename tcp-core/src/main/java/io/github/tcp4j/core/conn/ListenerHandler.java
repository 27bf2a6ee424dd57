package io.github.tcp4j.core.conn;

/** What the application hears from a listener, on the stack's thread. */
@FunctionalInterface
public interface ListenerHandler {

    /** A connection completed its handshake and waits in the accept queue. */
    void onAcceptable(TcpListener listener);

    /** The handler that ignores everything. */
    ListenerHandler NONE = listener -> {
    };
}
