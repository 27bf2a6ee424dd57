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

    @ParameterizedTest
    @EnumSource(UdpTransport.Framing.class)
    void twoStacksTransferAndCloseOverUdp(UdpTransport.Framing framing) throws Exception {
        UdpTransport serverUdp = new UdpTransport(ANY_LOOPBACK, null, framing);
        UdpTransport clientUdp = new UdpTransport(ANY_LOOPBACK, serverUdp.localAddress(), framing);
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TcpStack server = TcpStack.builder().name("udp-server").address("10.8.0.2").transport(serverUdp).build();
                TcpStack client = TcpStack.builder().name("udp-client").address("10.8.0.1").transport(clientUdp).build();
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
            assertEquals(0, serverUdp.malformed());
            assertTrue(clientUdp.sent() > 200 && serverUdp.received() > 200, "the segments went by UDP");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void malformedDatagramsAreCountedAndDropped() throws Exception {
        UdpTransport udp = new UdpTransport(ANY_LOOPBACK, null, UdpTransport.Framing.IPV4);
        try (TcpStack stack = TcpStack.builder().address("10.8.0.9").transport(udp).build();
                DatagramChannel raw = DatagramChannel.open()) {
            raw.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), udp.localAddress()); // too short for an IPv4 header
            raw.send(ByteBuffer.wrap(new byte[40]), udp.localAddress()); // version 0
            byte[] udpPacket = new byte[28];
            udpPacket[0] = 0x45;
            udpPacket[3] = 28;
            udpPacket[9] = 17; // UDP, not TCP (the header checksum is wrong too)
            raw.send(ByteBuffer.wrap(udpPacket), udp.localAddress());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (udp.malformed() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(3, udp.malformed());
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
            UdpTransport udp = new UdpTransport(ANY_LOOPBACK, new InetSocketAddress("127.0.0.1", port), UdpTransport.Framing.SEGMENT);
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
