package io.github.tcp4j.api;

import io.github.tcp4j.core.wire.IpAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A tcp4j echo server in a process of its own, over UDP: it binds a free UDP port on loopback,
 * listens, prints "PORT n", serves one connection on 10.9.0.2:7 (echoing until the client's FIN), and
 * exits. {@link UdpTransportTest} runs it as a separate JVM.
 */
public final class UdpEchoPeer {

    private UdpEchoPeer() {
    }

    /** Runs the echo peer. */
    public static void main(String[] args) throws Exception {
        UdpTransport udp = new UdpTransport(new InetSocketAddress("127.0.0.1", 0), null);
        try (TcpStack stack = TcpStack.builder().name("echo-peer").address("10.9.0.2").transport(udp)
                .closeGracefully(Duration.ofSeconds(5)).build();
                TcpServerSocket server = stack.listen(7)) {
            System.out.println("PORT " + udp.localAddress().getPort()); // listening now: the parent may connect
            System.out.flush();
            try (TcpSocket s = server.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
                s.shutdownOutput();
                s.getInputStream().read(); // the client closes after reading everything
            }
        }
        System.out.println("DONE " + IpAddress.parse("10.9.0.2"));
    }
}
