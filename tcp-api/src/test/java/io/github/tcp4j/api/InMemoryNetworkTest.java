package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.wire.IpAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Payloads by reference on the in-memory network: with a 65,535-byte MTU a data segment travels as
 * its header plus the sender's send-buffer bytes, which the receiver verifies and keeps where they
 * lie. Writes of odd sizes put the send buffer's chunk boundaries at odd offsets inside segments,
 * so some segments span two chunks (and go as one copied buffer) and the checksums of the others
 * start at odd positions of the chunks. Both directions at once, each stream SHA-256 compared,
 * with and without checksum offload.
 */
class InMemoryNetworkTest {

    @ParameterizedTest(name = "offload={0}, write size {1}")
    @CsvSource({"false, 7777", "false, 65536", "true, 7777", "true, 100001"})
    void largeSegmentsGoByReferenceAndArriveIntact(boolean offload, int writeSize) throws Exception {
        InMemoryNetwork network = offload ? InMemoryNetwork.withChecksumOffload() : new InMemoryNetwork();
        TcpConfig config = TcpConfig.builder().mtu(65_535).sendBufferSize(1 << 20).receiveBufferSize(1 << 20)
                .windowScaling(true).build();
        int bytes = 6 << 20;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (TcpStack a = TcpStack.builder().name("a").address("10.3.0.1").config(config)
                .transport(network.endpoint(IpAddress.parse("10.3.0.1"))).build();
                TcpStack b = TcpStack.builder().name("b").address("10.3.0.2").config(config)
                        .transport(network.endpoint(IpAddress.parse("10.3.0.2"))).build()) {
            TcpServerSocket listener = b.listen(80);
            Future<TcpSocket> accepted = pool.submit(listener::accept);
            TcpSocket client = a.connect(new InetSocketAddress(InetAddress.getByName("10.3.0.2"), 80));
            TcpSocket server = accepted.get();
            byte[] toServer = random(bytes, 1);
            byte[] toClient = random(bytes, 2);
            Future<?> w1 = pool.submit(() -> writeAll(client, toServer, writeSize));
            Future<?> w2 = pool.submit(() -> writeAll(server, toClient, writeSize));
            Future<byte[]> r1 = pool.submit(() -> Digests.sha256UntilEnd(server, 50_000));
            Future<byte[]> r2 = pool.submit(() -> Digests.sha256UntilEnd(client, 50_000));
            w1.get();
            w2.get();
            assertArrayEquals(Digests.sha256(toServer), r1.get(), "client to server");
            assertArrayEquals(Digests.sha256(toClient), r2.get(), "server to client");
            assertTrue(network.deliveredByReference() > 2 * bytes / 65_536 / 2,
                    "most data segments went by reference: " + network.deliveredByReference() + " of " + network.delivered());
            assertTrue(network.deliveredByReference() < network.delivered(), "ACKs, handshake and chunk-spanning segments did not");
            client.close();
            server.close();
            listener.close();
            assertEquals(0, a.stats().malformed() + b.stats().malformed(), "no segment failed its checksum");
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static Void writeAll(TcpSocket s, byte[] data, int writeSize) throws Exception {
        ByteBuffer source = ByteBuffer.wrap(data);
        while (source.position() < data.length) {
            source.limit(Math.min(source.position() + writeSize, data.length));
            s.write(source);
        }
        s.shutdownOutput();
        return null;
    }
}
