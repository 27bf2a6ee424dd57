package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.IpAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two tcp4j stacks talking over real UDP datagrams on loopback: in one JVM, and across two processes. */
@Timeout(120)
class UdpTransportTest {

    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /** The two ways to carry segments over UDP: tcp4j's own framing, or whole IPv4 packets. */
    enum Framing {
        SEGMENT, IPV4
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void twoStacksTransferAndCloseOverUdp(Framing framing) throws Exception {
        StackTransport serverSide;
        StackTransport clientSide;
        UdpTransport serverUdp = null;
        UdpTransport clientUdp = null;
        Ipv4PacketTransport serverIp = null;
        if (framing == Framing.SEGMENT) {
            serverUdp = new UdpTransport(ANY_LOOPBACK, null);
            clientUdp = new UdpTransport(ANY_LOOPBACK, serverUdp.localAddress());
            serverSide = serverUdp;
            clientSide = clientUdp;
        } else {
            UdpPacketChannel serverChannel = new UdpPacketChannel(ANY_LOOPBACK, null);
            UdpPacketChannel clientChannel = new UdpPacketChannel(ANY_LOOPBACK, serverChannel.localAddress());
            serverIp = new Ipv4PacketTransport(serverChannel, IpAddress.parse("10.8.0.2"));
            serverSide = serverIp;
            clientSide = new Ipv4PacketTransport(clientChannel, IpAddress.parse("10.8.0.1"));
        }
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TcpStack server = TcpStack.builder().name("udp-server").address("10.8.0.2").transport(serverSide).build();
                TcpStack client = TcpStack.builder().name("udp-client").address("10.8.0.1").transport(clientSide).build();
                TcpServerSocket listener = server.listen(5000)) {
            Future<byte[]> received = pool.submit(() -> {
                try (TcpSocket s = listener.accept()) {
                    byte[] all = s.getInputStream().readAllBytes();
                    s.getOutputStream().write("thanks".getBytes(StandardCharsets.UTF_8));
                    return all;
                }
            });
            try (TcpSocket c = client.connect(new InetSocketAddress(InetAddress.getByName("10.8.0.2"), 5000))) {
                c.getOutputStream().write(data);
                c.shutdownOutput();
                assertEquals("thanks", new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            assertArrayEquals(data, received.get());
            if (framing == Framing.SEGMENT) {
                assertEquals(0, serverUdp.malformed());
                assertTrue(clientUdp.sent() > 200 && serverUdp.received() > 200, "the segments went by UDP");
            } else {
                assertEquals(0, serverIp.malformed());
                assertTrue(serverIp.received() > 200, "the packets went by UDP");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void malformedDatagramsAreCountedAndDropped() throws Exception {
        UdpTransport udp = new UdpTransport(ANY_LOOPBACK, null);
        try (TcpStack stack = TcpStack.builder().address("10.8.0.9").transport(udp).build();
                DatagramChannel raw = DatagramChannel.open()) {
            raw.send(ByteBuffer.wrap(new byte[] {'T'}), udp.localAddress()); // no address length
            raw.send(ByteBuffer.wrap(new byte[] {'X', 4, 10, 8, 0, 1, 10, 8, 0, 9}), udp.localAddress()); // bad magic
            raw.send(ByteBuffer.wrap(new byte[] {'T', 5, 10, 8, 0, 1, 10, 8, 0, 9, 0}), udp.localAddress()); // length 5
            raw.send(ByteBuffer.wrap(new byte[] {'T', 16, 10, 8, 0, 1}), udp.localAddress()); // addresses cut short
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (udp.malformed() < 4 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(4, udp.malformed());
            assertEquals(0, stack.stats().segmentsReceived(), "nothing reached the stack");
        }
    }

    @Test
    void twoProcesses() throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), UdpEchoPeer.class.getName())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.startsWith("PORT ")) {
                line = out.readLine();
            }
            assertTrue(line != null, "the child printed its port");
            int port = Integer.parseInt(line.substring(5).trim());
            UdpTransport udp = new UdpTransport(ANY_LOOPBACK, new InetSocketAddress("127.0.0.1", port));
            byte[] data = new byte[100_000];
            new Random(4).nextBytes(data);
            try (TcpStack client = TcpStack.builder().name("parent").address("10.9.0.1").transport(udp).build();
                    TcpSocket c = client.connect(new InetSocketAddress(IpAddress.parse("10.9.0.2").toInetAddress(), 7))) {
                ExecutorService pool = Executors.newSingleThreadExecutor();
                try {
                    Future<byte[]> echoed = pool.submit(() -> c.getInputStream().readAllBytes());
                    c.getOutputStream().write(data);
                    c.shutdownOutput();
                    assertArrayEquals(data, echoed.get(60, TimeUnit.SECONDS));
                } finally {
                    pool.shutdownNow();
                }
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exits once the connection is closed");
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
    }
}
