package io.github.tcp4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.api.Ipv4PacketTransport;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.api.UdpPacketChannel;
import io.github.tcp4j.core.wire.IpAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real-network example's server and client, on JDK 17 without a TUN device: two stacks
 * exchanging whole IPv4 packets over UDP on loopback (the socat-bridge channel), so the same code
 * paths as over TUN run in every build.
 */
@Timeout(60)
class TinyHttpTest {

    @Test
    void theClientFetchesAPageFromTheServer() throws Exception {
        UdpPacketChannel serverSide = new UdpPacketChannel(new InetSocketAddress("127.0.0.1", 0), null);
        UdpPacketChannel clientSide = new UdpPacketChannel(new InetSocketAddress("127.0.0.1", 0), serverSide.localAddress());
        try (TcpStack server = TcpStack.builder().name("server").address("10.77.0.2")
                        .transport(new Ipv4PacketTransport(serverSide, IpAddress.parse("10.77.0.2"))).build();
                TcpStack client = TcpStack.builder().name("client").address("10.77.0.1")
                        .transport(new Ipv4PacketTransport(clientSide, IpAddress.parse("10.77.0.1"))).build()) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try {
                    TinyHttpServer.serve(server, 80, 1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String response = null;
            for (int attempt = 0; response == null && attempt < 100; attempt++) {
                try {
                    response = TinyHttpClient.fetch(client, URI.create("http://10.77.0.2/hello"));
                } catch (java.net.ConnectException notListeningYet) {
                    Thread.onSpinWait(); // the server thread has not reached listen() yet: try again
                }
            }
            served.get(30, TimeUnit.SECONDS);
            assertTrue(response != null && response.startsWith("HTTP/1.1 200 OK\r\n"), "status line: " + response);
            assertTrue(response.contains("Hello from tcp4j"), response);
            assertTrue(response.contains("GET /hello HTTP/1.0"), "the page shows the request: " + response);
            assertTrue(response.contains("ESTABLISHED"), "and the stack's netstat: " + response);
        }
    }
}
