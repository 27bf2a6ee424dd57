package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.wire.IpAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Small helpers shared by the reset, timeout and TIME-WAIT scenario tests. */
final class Scenarios {

    private Scenarios() {
    }

    /** The transitions of one side's connection (local address and port), in order. */
    static List<TransitionRecord> transitionsOf(TwoHosts h, IpAddress local, int localPort) {
        String prefix = local + ":" + localPort + " ";
        return h.transitions.stream().filter(t -> t.connection().startsWith(prefix)).collect(Collectors.toList());
    }

    /** The transitions of exactly one 4-tuple, e.g. ("10.0.0.1", 40000, "10.0.0.2", 80). */
    static List<TransitionRecord> transitionsOf(TwoHosts h, IpAddress local, int localPort, IpAddress remote, int remotePort) {
        String tuple = local + ":" + localPort + " > " + remote + ":" + remotePort;
        return h.transitions.stream().filter(t -> t.connection().equals(tuple)).collect(Collectors.toList());
    }

    /** The states of one 4-tuple's transitions. */
    static List<TcpState> statesOf(TwoHosts h, IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return transitionsOf(h, local, localPort, remote, remotePort).stream().map(TransitionRecord::to)
                .collect(Collectors.toList());
    }

    /** The events of one side's transitions. */
    static List<TcpEvent> eventsOf(TwoHosts h, IpAddress local, int localPort) {
        return transitionsOf(h, local, localPort).stream().map(TransitionRecord::event).collect(Collectors.toList());
    }

    /** The last transition of one side. */
    static TransitionRecord lastTransitionOf(TwoHosts h, IpAddress local, int localPort) {
        List<TransitionRecord> l = transitionsOf(h, local, localPort);
        if (l.isEmpty()) {
            throw new AssertionError("no transition of " + local + ":" + localPort);
        }
        return l.get(l.size() - 1);
    }

    /** Connects a (from {@code clientPort}) to b:80, runs 100 ms and returns {client, server}, both ESTABLISHED. */
    static TcpConnection[] establish(TwoHosts h, TcpListener listener, int clientPort, ConnectionHandler clientHandler) {
        TcpConnection client = h.a.connect(null, clientPort, TwoHosts.B, 80, clientHandler);
        h.run(Duration.ofMillis(100));
        assertEquals(TcpState.ESTABLISHED, client.state());
        TcpConnection server = listener.accept();
        assertNotNull(server, "the server accepted nothing");
        assertEquals(TcpState.ESTABLISHED, server.state());
        return new TcpConnection[] {client, server};
    }

    /** One receive() into a fresh 4 KiB buffer (released afterwards): the count it returns. */
    static int receiveOnce(TcpConnection c) {
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer(4096);
        try {
            return c.receive(buf);
        } finally {
            buf.release();
        }
    }

    /** One send() of {@code text} (the buffer released afterwards): the count it returns. */
    static int sendOnce(TcpConnection c, String text) {
        io.netty.buffer.ByteBuf buf = TwoHosts.text(text);
        try {
            return c.send(buf);
        } finally {
            buf.release();
        }
    }

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    static Duration s(long n) {
        return Duration.ofSeconds(n);
    }
}
