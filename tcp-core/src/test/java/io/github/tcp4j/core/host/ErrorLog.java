package io.github.tcp4j.core.host;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import java.util.ArrayList;
import java.util.List;

/** A connection handler that records what the application hears: errors, connects, releases. */
final class ErrorLog implements ConnectionHandler {

    final List<TcpError> errors = new ArrayList<>();
    int connected;
    int released;

    @Override
    public void onConnected(TcpConnection connection) {
        connected++;
    }

    @Override
    public void onError(TcpConnection connection, TcpError error) {
        errors.add(error);
    }

    @Override
    public void onReleased(TcpConnection connection) {
        released++;
    }
}
