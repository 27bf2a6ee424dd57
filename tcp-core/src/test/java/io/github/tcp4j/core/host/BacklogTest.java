package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a listener does when either of its queues is full (see TcpListener): drop, count, and let retransmission retry. */
class BacklogTest {

    @Test
    void aFullAcceptQueueDropsTheHandshakeCompletingAckUntilTheApplicationAccepts() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 1, false); // backlog 1
            TcpConnection c1 = h.a.connect(null, 40001, TwoHosts.B, 80, ConnectionHandler.NONE);
            TcpConnection c2 = h.a.connect(null, 40002, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            assertEquals(1, listener.acceptQueueLength(), "the first fills the accept queue");
            assertEquals(1, listener.acceptQueueOverflows(), "the second's ACK was dropped, and counted");
            assertEquals(1, listener.synQueueLength(), "the second stays half-open on the server");
            assertEquals(ESTABLISHED, c2.state(), "the client cannot tell (as with Linux)");

            TcpConnection s1 = listener.accept();
            assertNotNull(s1);
            assertNull(listener.accept());
            h.run(Duration.ofSeconds(2)); // the server's SYN,ACK is retransmitted; the client ACKs it again
            TcpConnection s2 = listener.accept();
            assertNotNull(s2, "accepted once there was room");
            assertEquals(ESTABLISHED, s2.state());
            assertEquals(40002, s2.remotePort());
            TwoHosts.write(c2, "late but whole");
            h.run(Duration.ofMillis(100));
            assertEquals("late but whole", TwoHosts.readAll(s2));
            for (TcpConnection c : new TcpConnection[] {c1, c2, s1, s2}) {
                c.abort();
            }
            listener.close();
        }
    }

    @Test
    void aFullSynQueueDropsNewSynsAndTheClientsRetryGetsThrough() {
        TcpConfig config = TcpConfig.builder().synBacklog(1).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 8, false);
            h.link.bToA().partition(); // the first SYN,ACK is lost: the first connection stays half-open
            TcpConnection c1 = h.a.connect(null, 40001, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(5));
            TcpConnection c2 = h.a.connect(null, 40002, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(50));
            assertEquals(1, listener.synQueueLength());
            assertEquals(1, listener.synQueueOverflows(), "the second SYN found the SYN queue full");
            assertEquals(1, h.b.stats().synQueueOverflows());
            h.link.bToA().heal();
            h.run(Duration.ofSeconds(10)); // SYN,ACK and SYN retransmissions
            assertEquals(ESTABLISHED, c1.state());
            assertEquals(ESTABLISHED, c2.state());
            TcpConnection s1 = listener.accept();
            TcpConnection s2 = listener.accept();
            assertNotNull(s1);
            assertNotNull(s2);
            assertTrue(listener.synQueueOverflows() >= 1);
            for (TcpConnection c : new TcpConnection[] {c1, c2, s1, s2}) {
                c.abort();
            }
            listener.close();
        }
    }
}
