package io.github.tcp4j.examples;

import io.github.tcp4j.api.Ipv4PacketTransport;
import io.github.tcp4j.api.PacketChannel;
import io.github.tcp4j.api.PacketChannels;
import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The "real network" example's server: a tiny HTTP server on a tcp4j stack behind a packet
 * channel, so the machine's own tools reach it: {@code curl http://10.77.0.2/} talks to the Linux
 * kernel's TCP, which talks to tcp4j through a TUN interface. Each page shows the request and the
 * stack's netstat at that moment.
 *
 * <pre>
 * TinyHttpServer CHANNEL ADDRESS [PORT [REQUESTS]]
 *   CHANNEL   tun:tcp4j0 (a TUN interface: JDK 22+ with tcp-tun on the class path),
 *             or udp:9001,127.0.0.1:9000 (the end of a socat bridge: any JDK)
 *   ADDRESS   the stack's IPv4 address, e.g. 10.77.0.2 (the kernel's side being 10.77.0.1/24)
 *   PORT      default 80; REQUESTS: stop after that many (default: serve until killed)
 * </pre>
 *
 * <p>The program names no TUN class: {@link PacketChannels#open(String)} finds the {@code tun}
 * scheme with {@link java.util.ServiceLoader} when the tcp-tun module is present, so this class
 * compiles for JDK 17 like the rest of the examples (see README, "A real network").
 */
public final class TinyHttpServer {

    private TinyHttpServer() {
    }

    /** Runs the server (see the class comment for the arguments). */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TinyHttpServer CHANNEL ADDRESS [PORT [REQUESTS]]   e.g. tun:tcp4j0 10.77.0.2");
            System.exit(2);
        }
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 80;
        int requests = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
        PacketChannel channel = PacketChannels.open(args[0]);
        try (TcpStack stack = TcpStack.builder().name("http").address(args[1])
                .transport(new Ipv4PacketTransport(channel, IpAddress.parse(args[1])))
                .closeGracefully(Duration.ofSeconds(2)).build()) {
            System.out.println("tcp4j HTTP server on " + args[1] + ":" + port + " over " + args[0]);
            serve(stack, port, requests);
        }
    }

    /** Answers {@code requests} connections on {@code port}, one after the other. */
    static void serve(TcpStack stack, int port, int requests) throws IOException {
        try (TcpServerSocket listener = stack.listen(port)) {
            for (int i = 0; i < requests; i++) {
                try (TcpSocket s = listener.accept()) {
                    String head = readHead(s.getInputStream());
                    String requestLine = head.lines().findFirst().orElse("");
                    System.out.println(s.getRemoteSocketAddress() + " " + requestLine);
                    byte[] body = ("Hello from tcp4j, a TCP stack in Java.\n\nYou sent:\n" + head + "\nThe stack now:\n"
                            + stack.netstat()).getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                } catch (IOException e) {
                    System.out.println("a request failed: " + e);
                }
            }
        }
    }

    /** The request line and headers, up to the blank line that ends them. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length && head.size() < 16_384) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
