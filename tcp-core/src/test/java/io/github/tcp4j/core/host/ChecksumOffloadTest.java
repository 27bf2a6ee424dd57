package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checksum offload: hosts that both offload exchange segments whose checksum field is 0 and do not
 * verify; a host that does not offload (the default) computes every checksum and drops a segment
 * whose checksum is wrong, a zero field from an offloading host included.
 */
class ChecksumOffloadTest {

    /** The checksum field of each segment on the wire, and whether the segment's checksum is right. */
    private static final class Checksums {
        final List<Integer> fields = new ArrayList<>();
        final List<Boolean> right = new ArrayList<>();

        void tap(IpAddress source, IpAddress destination, ByteBuf bytes) {
            fields.add(bytes.getUnsignedShort(bytes.readerIndex() + 16));
            right.add(Checksum.tcp(source, destination, bytes, bytes.readerIndex(), bytes.readableBytes()) == 0);
        }
    }

    @Test
    void offloadingHostsSendZeroChecksumsAndUnderstandEachOther() {
        try (TwoHosts h = new TwoHosts()) {
            Checksums wire = new Checksums();
            h.net.addTap(wire::tap);
            h.a.checksumOffload(true);
            h.b.checksumOffload(true);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            assertEquals(ESTABLISHED, client.state());
            TcpConnection server = listener.accept();
            TwoHosts.write(client, "offloaded");
            h.run(Duration.ofMillis(100));
            assertEquals("offloaded", TwoHosts.readAll(server));
            assertFalse(wire.fields.isEmpty());
            assertTrue(wire.fields.stream().allMatch(f -> f == 0), "no checksum computed: " + wire.fields);
            assertEquals(0, h.a.stats().malformed() + h.b.stats().malformed());
            client.abort();
            server.abort();
            listener.close();
        }
    }

    @Test
    void aVerifyingHostDropsTheZeroChecksumsOfAnOffloadingOne() {
        try (TwoHosts h = new TwoHosts()) {
            h.a.checksumOffload(true);
            assertFalse(h.b.checksumOffload(), "off by default");
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            assertEquals(SYN_SENT, client.state());
            assertEquals(1, h.b.stats().malformed(), "the SYN with checksum 0 was counted and dropped");
            assertEquals(0, listener.acceptQueueLength());
            client.abort();
            listener.close();
        }
    }

    @Test
    void withoutOffloadEverySegmentCarriesItsChecksum() {
        try (TwoHosts h = new TwoHosts()) {
            Checksums wire = new Checksums();
            h.net.addTap(wire::tap);
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            TwoHosts.write(client, "checked");
            h.run(Duration.ofMillis(100));
            assertEquals("checked", TwoHosts.readAll(listener.accept()));
            assertTrue(wire.right.stream().allMatch(r -> r), "every checksum right");
            client.abort();
            listener.close();
        }
    }
}
