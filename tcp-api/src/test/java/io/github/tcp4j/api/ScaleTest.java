package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.host.ConnectionInfo;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many connections at once: 10,000 on one stack pair in real time, and the memory an idle one costs. */
class ScaleTest {

    private static final int CONNECTIONS = 10_000;

    @Test
    @Timeout(300)
    void tenThousandConcurrentConnectionsExchangeDataAndClose() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        // Small buffers: 10,000 connections x 2 sides.
        TcpConfig config = TcpConfig.builder().sendBufferSize(8192).receiveBufferSize(8192).synBacklog(CONNECTIONS).build();
        try (TcpStack client = TcpStack.builder().name("scale-client").address("10.2.0.1").config(config)
                .transport(network.endpoint(IpAddress.parse("10.2.0.1"))).build();
                TcpStack server = TcpStack.builder().name("scale-server").address("10.2.0.2").config(config)
                        .transport(network.endpoint(IpAddress.parse("10.2.0.2"))).build()) {
            TcpServerSocket listener = server.listen(null, 80, CONNECTIONS, false);
            AtomicLong serverBytes = new AtomicLong();
            AtomicInteger served = new AtomicInteger();
            CompletableFuture<Void> allServed = new CompletableFuture<>();
            acceptLoop(listener, serverBytes, served, allServed);

            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("10.2.0.2"), 80);
            List<CompletableFuture<TcpSocket>> connecting = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                connecting.add(client.connectAsync(to));
            }
            List<TcpSocket> sockets = new ArrayList<>();
            for (CompletableFuture<TcpSocket> f : connecting) {
                sockets.add(f.get(120, TimeUnit.SECONDS));
            }
            long established = client.connections().stream().filter(c -> c.state() == TcpState.ESTABLISHED).count();
            assertEquals(CONNECTIONS, established, "all 10,000 open at once");

            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                TcpSocket s = sockets.get(i);
                writes.add(s.writeAsync(ByteBuffer.wrap(new byte[100 + i % 50])).thenRun(() -> {
                    try {
                        s.shutdownOutput();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            allServed.get(120, TimeUnit.SECONDS);
            long expected = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                expected += 100 + i % 50;
            }
            assertEquals(expected, serverBytes.get(), "every byte of every connection arrived");
            for (TcpSocket s : sockets) {
                assertEquals(-1, s.readAsync(ByteBuffer.allocate(1)).get(60, TimeUnit.SECONDS), "the server closed too");
                s.close();
            }
            List<ConnectionInfo> left = server.connections();
            assertTrue(left.stream().allMatch(c -> c.remote() == null || c.state() == TcpState.TIME_WAIT
                    || c.state() == TcpState.CLOSED), "the server side holds nothing but its listener: " + left.size());
        }
    }

    private static void acceptLoop(TcpServerSocket listener, AtomicLong bytes, AtomicInteger served, CompletableFuture<Void> all) {
        listener.acceptAsync().thenAccept(s -> {
            acceptLoop(listener, bytes, served, all);
            drain(s, ByteBuffer.allocate(512), bytes, served, all);
        });
    }

    private static void drain(TcpSocket s, ByteBuffer buf, AtomicLong bytes, AtomicInteger served, CompletableFuture<Void> all) {
        buf.clear();
        s.readAsync(buf).thenAccept(n -> {
            if (n < 0) {
                s.close();
                if (served.incrementAndGet() == CONNECTIONS) {
                    all.complete(null);
                }
                return;
            }
            bytes.addAndGet(n);
            drain(s, buf, bytes, served, all);
        });
    }

    /**
     * Heap per idle established connection (both ends' sockets, control blocks and buffers
     * counted, divided by two), measured with 2,000 connection pairs on a simulated network.
     */
    @Test
    void memoryPerIdleEstablishedConnection() throws Exception {
        int pairs = 2_000;
        try (SimNetwork net = new SimNetwork(3)) {
            SimHost a = net.addHost("a", IpAddress.parse("10.3.0.1"));
            SimHost b = net.addHost("b", IpAddress.parse("10.3.0.2"));
            net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(1)).build());
            TcpConfig config = TcpConfig.builder().synBacklog(pairs).build();
            try (TcpStack client = TcpStack.builder().simulated(net, a).config(config).secret(1).build();
                    TcpStack server = TcpStack.builder().simulated(net, b).config(config).secret(2).build()) {
                TcpServerSocket listener = server.listen(null, 80, pairs, false);
                InetSocketAddress to = new InetSocketAddress(b.address().toInetAddress(), 80);
                client.connect(to).close(); // warm up the code paths and the tables
                net.advance(Duration.ofMinutes(2));
                listener.accept().close();
                long before = usedHeapAfterGc();
                List<TcpSocket> kept = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
                    kept.add(client.connect(to));
                    kept.add(server.await(accepted, Duration.ofSeconds(1)));
                }
                long after = usedHeapAfterGc();
                long perConnection = (after - before) / (2L * pairs);
                System.out.printf("memory per idle established connection (one end): %d bytes%n", perConnection);
                assertTrue(perConnection > 0 && perConnection < 8_192, "per connection: " + perConnection + " bytes");
                kept.forEach(TcpSocket::abort);
            }
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
