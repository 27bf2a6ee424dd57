package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.fsm.TcpState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real-time driver: two stacks, each with its event-loop thread, over an in-memory network;
 * application threads block on sockets (and run the stacks' work themselves while they hold the
 * stack lock). Bounded by JUnit's timeout, never by sleeping.
 */
@Timeout(120)
class EventLoopSocketTest {

    private InMemoryNetwork network;
    private TcpStack client;
    private TcpStack server;
    private InetAddress serverAddress;

    @BeforeEach
    void setUp() throws IOException {
        network = new InMemoryNetwork();
        client = TcpStack.builder().name("client").address("10.1.0.1").transport(network.endpoint(
                io.github.tcp4j.core.wire.IpAddress.parse("10.1.0.1"))).build();
        server = TcpStack.builder().name("server").address("10.1.0.2").transport(network.endpoint(
                io.github.tcp4j.core.wire.IpAddress.parse("10.1.0.2"))).build();
        serverAddress = InetAddress.getByName("10.1.0.2");
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }


    @Test
    void echoOverTheEventLoop() throws Exception {
        TcpServerSocket ss = server.listen(7);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> echo = pool.submit((Callable<Void>) () -> {
                try (TcpSocket s = ss.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                }
                return null;
            });
            try (TcpSocket c = client.connect(new InetSocketAddress(serverAddress, 7))) {
                byte[] data = new byte[500_000];
                new Random(1).nextBytes(data);
                Future<byte[]> back = Executors.newSingleThreadExecutor().submit(() -> c.getInputStream().readAllBytes());
                c.getOutputStream().write(data);
                c.shutdownOutput();
                assertArrayEquals(Digests.sha256(data), Digests.sha256(back.get()));
            }
            echo.get();
        } finally {
            pool.shutdownNow();
            ss.close();
        }
    }

    @Test
    void manyThreadsOnManySocketsAtOnce() throws Exception {
        int sockets = 16;
        TcpServerSocket ss = server.listen(null, 9, 64, false);
        ExecutorService pool = Executors.newFixedThreadPool(2 * sockets);
        try {
            List<Future<byte[]>> serverSide = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                serverSide.add(pool.submit(() -> {
                    try (TcpSocket s = ss.accept()) {
                        byte[] all = s.getInputStream().readAllBytes(); // until the client's FIN
                        s.getOutputStream().write(Digests.sha256(all));
                        return all;
                    }
                }));
            }
            List<Future<byte[]>> clientSide = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                int seed = i;
                clientSide.add(pool.submit(() -> {
                    byte[] data = new byte[50_000 + 7919 * seed];
                    new Random(seed).nextBytes(data);
                    try (TcpSocket c = client.connect(new InetSocketAddress(serverAddress, 9))) {
                        OutputStream out = c.getOutputStream();
                        for (int off = 0; off < data.length; off += 4096) {
                            out.write(data, off, Math.min(4096, data.length - off));
                        }
                        c.shutdownOutput();
                        byte[] digest = c.getInputStream().readAllBytes();
                        assertArrayEquals(Digests.sha256(data), digest, "the server saw exactly what this client sent");
                        return data;
                    }
                }));
            }
            List<byte[]> sent = new ArrayList<>();
            for (Future<byte[]> f : clientSide) {
                sent.add(f.get());
            }
            long receivedTotal = 0;
            for (Future<byte[]> f : serverSide) {
                receivedTotal += f.get().length;
            }
            assertEquals(sent.stream().mapToLong(b -> b.length).sum(), receivedTotal);
        } finally {
            pool.shutdownNow();
            ss.close();
        }
    }

    @Test
    void refusedAndResetInRealTime() throws Exception {
        assertThrows(ConnectException.class, () -> client.connect(new InetSocketAddress(serverAddress, 1)));
        TcpServerSocket ss = server.listen(11);
        TcpSocket c = client.connect(new InetSocketAddress(serverAddress, 11));
        TcpSocket s = ss.accept();
        s.abort();
        InputStream in = c.getInputStream();
        assertThrows(ConnectionResetException.class, in::read);
        assertEquals(TcpState.CLOSED, c.state());
        c.close();
        ss.close();
    }

    @Test
    void readTimeoutInRealTime() throws Exception {
        TcpServerSocket ss = server.listen(12);
        TcpSocket c = client.connect(new InetSocketAddress(serverAddress, 12));
        TcpSocket s = ss.accept();
        c.setSoTimeout(50);
        assertThrows(java.net.SocketTimeoutException.class, () -> c.getInputStream().read());
        s.getOutputStream().write(42);
        c.setSoTimeout(0);
        assertEquals(42, c.getInputStream().read());
        c.close();
        s.close();
        ss.close();
    }

    @Test
    void bulkTransferArrivesIntactWithAndWithoutChecksumOffload() throws Exception {
        assertFalse(client.checksumOffload());
        transferAndCompare(client, server, "10.1.0.2", 21, 2 << 20);
        InMemoryNetwork offloading = InMemoryNetwork.withChecksumOffload();
        try (TcpStack a = TcpStack.builder().name("a").address("10.2.0.1")
                .transport(offloading.endpoint(io.github.tcp4j.core.wire.IpAddress.parse("10.2.0.1"))).build();
                TcpStack b = TcpStack.builder().name("b").address("10.2.0.2")
                        .transport(offloading.endpoint(io.github.tcp4j.core.wire.IpAddress.parse("10.2.0.2"))).build()) {
            assertTrue(a.checksumOffload());
            assertTrue(b.checksumOffload());
            transferAndCompare(a, b, "10.2.0.2", 22, 2 << 20);
        }
    }

    /** {@code bytes} from a socket of {@code from} to one of {@code to} (at {@code toAddress}), 64 KiB per blocking call, SHA-256 compared. */
    private static void transferAndCompare(TcpStack from, TcpStack to, String toAddress, int port, int bytes) throws Exception {
        byte[] data = new byte[bytes];
        new Random(port).nextBytes(data);
        TcpServerSocket ss = to.listen(port);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> received = pool.submit(() -> {
                try (TcpSocket s = ss.accept()) {
                    return Digests.sha256UntilEnd(s, 65_536);
                }
            });
            try (TcpSocket c = from.connect(new InetSocketAddress(InetAddress.getByName(toAddress), port))) {
                ByteBuffer source = ByteBuffer.wrap(data);
                while (source.position() < data.length) {
                    source.limit(Math.min(source.position() + 65_536, data.length));
                    c.write(source);
                }
                c.shutdownOutput();
                assertArrayEquals(Digests.sha256(data), received.get());
            }
        } finally {
            pool.shutdownNow();
            ss.close();
        }
    }

    @Test
    void twoThreadsReadingOneSocketShareTheStreamWithoutLosingAByte() throws Exception {
        TcpServerSocket ss = server.listen(23);
        TcpSocket c = client.connect(new InetSocketAddress(serverAddress, 23));
        TcpSocket s = ss.accept();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Long> reader = () -> {
                long total = 0;
                ByteBuffer sink = ByteBuffer.allocate(1000);
                while (true) {
                    sink.clear();
                    int n = s.read(sink);
                    if (n < 0) {
                        return total;
                    }
                    total += n;
                }
            };
            Future<Long> one = pool.submit(reader);
            Future<Long> two = pool.submit(reader);
            byte[] data = new byte[1_000_000];
            c.getOutputStream().write(data);
            c.shutdownOutput();
            assertEquals(data.length, one.get() + two.get());
        } finally {
            pool.shutdownNow();
            c.close();
            s.close();
            ss.close();
        }
    }

    @Test
    void anInterruptedReadThrowsAndTheSocketReadsOnAfterwards() throws Exception {
        TcpServerSocket ss = server.listen(24);
        TcpSocket c = client.connect(new InetSocketAddress(serverAddress, 24));
        TcpSocket s = ss.accept();
        Thread[] readerThread = new Thread[1];
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> readerThread[0] = new Thread(r));
        try {
            Future<Class<?>> blocked = pool.submit(() -> {
                try {
                    c.getInputStream().read();
                    return null;
                } catch (java.io.InterruptedIOException e) {
                    return e.getClass();
                }
            });
            while (readerThread[0] == null || readerThread[0].getState() != Thread.State.WAITING) {
                Thread.onSpinWait(); // until it parks in the read (JUnit's timeout bounds this)
            }
            readerThread[0].interrupt();
            assertEquals(java.io.InterruptedIOException.class, blocked.get());
            s.getOutputStream().write(7);
            assertEquals(7, c.getInputStream().read(), "the cancelled read took nothing");
        } finally {
            pool.shutdownNow();
            c.close();
            s.close();
            ss.close();
        }
    }

    @Test
    void gracefulStackCloseLetsConnectionsFinish() throws Exception {
        TcpStack a = TcpStack.builder().name("a").address("10.1.0.3").closeGracefully(Duration.ofSeconds(5))
                .transport(network.endpoint(io.github.tcp4j.core.wire.IpAddress.parse("10.1.0.3"))).build();
        TcpServerSocket ss = server.listen(13);
        TcpSocket c = a.connect(new InetSocketAddress(serverAddress, 13));
        TcpSocket s = ss.accept();
        c.getOutputStream().write(new byte[10_000]);
        a.close(); // closes c gracefully: its data and FIN reach the server
        assertEquals(10_000, s.getInputStream().readAllBytes().length);
        assertTrue(c.isClosed());
        s.close();
        ss.close();
    }
}
