package io.github.tcp4j.core.host;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import java.util.ArrayList;
import java.util.List;

/** A {@link ConnectionHandler} that records what the application heard, in order. */
final class Events implements ConnectionHandler {

    final List<String> heard = new ArrayList<>();
    final List<TcpError> errors = new ArrayList<>();
    int connected;
    int released;

    @Override
    public void onConnected(TcpConnection connection) {
        connected++;
        heard.add("connected");
    }

    @Override
    public void onError(TcpConnection connection, TcpError error) {
        errors.add(error);
        heard.add("error " + error);
    }

    @Override
    public void onReleased(TcpConnection connection) {
        released++;
        heard.add("released");
    }
}
