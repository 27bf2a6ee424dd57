package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.CLOSE_WAIT;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_1;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.TcpState.LAST_ACK;
import static io.github.tcp4j.core.fsm.TcpState.LISTEN;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static io.github.tcp4j.core.fsm.TcpState.TIME_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeAndCloseTest {

    @Test
    void activeOpenDataFourWayCloseAndTimeWait() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            assertEquals(SYN_SENT, client.state());
            h.run(Duration.ofMillis(100));
            assertEquals(ESTABLISHED, client.state());
            TcpConnection server = listener.accept();
            assertNotNull(server);
            assertEquals(ESTABLISHED, server.state());

            TwoHosts.write(client, "hello");
            h.run(Duration.ofMillis(100));
            assertEquals("hello", TwoHosts.readAll(server));
            TwoHosts.write(server, "world");
            h.run(Duration.ofMillis(100));
            assertEquals("world", TwoHosts.readAll(client));

            client.close();
            assertEquals(FIN_WAIT_1, client.state());
            h.run(Duration.ofMillis(100));
            assertEquals(FIN_WAIT_2, client.state());
            assertEquals(CLOSE_WAIT, server.state());
            assertEquals(-1, server.receive(io.netty.buffer.Unpooled.buffer(8)));
            server.close();
            assertEquals(LAST_ACK, server.state());
            h.run(Duration.ofMillis(100));
            assertEquals(CLOSED, server.state());
            assertEquals(TIME_WAIT, client.state());
            assertEquals(1, h.a.timeWaitCount());

            h.run(Duration.ofSeconds(59));
            assertEquals(TIME_WAIT, client.state());
            h.run(Duration.ofSeconds(2));
            assertEquals(CLOSED, client.state());
            assertEquals(0, h.a.timeWaitCount());

            assertEquals(List.of(SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED),
                    h.statesOf(TwoHosts.A, 40000));
            assertEquals(List.of(SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), h.statesOf(TwoHosts.B, 80).subList(0, 5));
            assertEquals(List.of("a>b SYN", "b>a SYN,ACK", "a>b ACK", "a>b ACK len=5", "b>a ACK", "b>a ACK len=5", "a>b ACK",
                    "a>b FIN,ACK", "b>a ACK", "b>a FIN,ACK", "a>b ACK"), h.wire());
            assertEquals(LISTEN, listener.state());
            listener.close();
            assertEquals(CLOSED, listener.state());
        }
    }
}
