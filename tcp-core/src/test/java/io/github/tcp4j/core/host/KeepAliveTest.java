package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Keep-alive between two tcp4j hosts: answered probes keep an idle connection; a vanished peer is found. */
class KeepAliveTest {

    @Test
    void answeredProbesKeepAnIdleConnectionAndAVanishedPeerIsFound() {
        TcpConfig config = TcpConfig.builder().keepAlive(false, Duration.ofSeconds(10), Duration.ofSeconds(1), 3).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 4, false);
            TcpConnection c = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            TcpConnection s = listener.accept();
            c.keepAlive(true); // SO_KEEPALIVE on the client only
            int before = h.wire().size();
            h.run(Duration.ofSeconds(35));
            assertEquals(TcpState.ESTABLISHED, c.state());
            long probes = h.wire().subList(before, h.wire().size()).stream().filter("a>b ACK"::equals).count();
            long answers = h.wire().subList(before, h.wire().size()).stream().filter("b>a ACK"::equals).count();
            assertEquals(3, probes, "one probe every 10 idle seconds: " + h.wire());
            assertEquals(3, answers, "each answered: " + h.wire());

            h.link.partition(); // the server vanishes
            h.run(Duration.ofSeconds(15));
            assertEquals(TcpState.CLOSED, c.state());
            assertEquals(TcpError.TIMED_OUT, c.failure());
            assertTrue(h.wire().get(h.wire().size() - 1).equals("a>b RST"), "given up with a RST: " + h.wire());
            assertEquals(TcpState.ESTABLISHED, s.state(), "the server never heard of it");
            s.abort();
            listener.close();
        }
    }
}
