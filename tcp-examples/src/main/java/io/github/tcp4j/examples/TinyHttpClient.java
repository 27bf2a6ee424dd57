package io.github.tcp4j.examples;

import io.github.tcp4j.api.Ipv4PacketTransport;
import io.github.tcp4j.api.PacketChannel;
import io.github.tcp4j.api.PacketChannels;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The "real network" example's client: fetches a page with HTTP/1.0 from a server of the kernel's
 * (a {@code python3 -m http.server}, {@code jwebserver}...) through a tcp4j stack behind a packet
 * channel, and prints the response, then the stack's netstat (an HTTP/1.0 server closes first, so
 * the TIME_WAIT is the kernel's and tcp4j's side of the connection is gone).
 *
 * <pre>
 * TinyHttpClient CHANNEL ADDRESS URL
 *   CHANNEL   tun:tcp4j0 or udp:9001,127.0.0.1:9000, as for {@link TinyHttpServer}
 *   ADDRESS   the stack's IPv4 address, e.g. 10.77.0.2
 *   URL       http://10.77.0.1:8000/ (an IPv4 address: tcp4j has no resolver)
 * </pre>
 */
public final class TinyHttpClient {

    private TinyHttpClient() {
    }

    /** Runs the client (see the class comment for the arguments). */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: TinyHttpClient CHANNEL ADDRESS URL   e.g. tun:tcp4j0 10.77.0.2 http://10.77.0.1:8000/");
            System.exit(2);
        }
        PacketChannel channel = PacketChannels.open(args[0]);
        try (TcpStack stack = TcpStack.builder().name("client").address(args[1])
                .transport(new Ipv4PacketTransport(channel, IpAddress.parse(args[1]))).build()) {
            System.out.print(fetch(stack, URI.create(args[2])));
            System.out.println("\n--- tcp4j's netstat after the fetch:");
            System.out.print(stack.netstat());
        }
    }

    /** GETs {@code url} over {@code stack} and returns the whole response, head and body. */
    static String fetch(TcpStack stack, URI url) throws IOException {
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        try (TcpSocket s = stack.connect(new InetSocketAddress(url.getHost(), port))) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: " + url.getHost() + "\r\nUser-Agent: tcp4j\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
