package io.github.tcp4j.examples;

import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.api.UdpTransport;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The source articles' echo_cli on tcp4j: sends each line it reads, prints the echo, and prints
 * "server close" when read returns end of stream (the server closed). Without arguments it plays
 * a short session with {@link EchoServer} on the simulated network. With
 * {@code --udp HOST:PORT} it connects to 10.9.0.2:7 through a tcp4j stack whose segments travel
 * in UDP datagrams to the {@code EchoServer --udp PORT} there, reading lines from standard input.
 */
public final class EchoClient {

    private EchoClient() {
    }

    /** Runs the client (see the class comment for the arguments). */
    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--udp")) {
            String[] hostPort = args[1].split(":");
            talkOverUdp(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
            return;
        }
        EchoPair.run(System.out, List.of("hello", "world", "anyone there?"), 2);
    }

    private static void talkOverUdp(InetSocketAddress server) throws IOException {
        UdpTransport udp = new UdpTransport(new InetSocketAddress("127.0.0.1", 0), server);
        try (TcpStack stack = TcpStack.builder().name("echo_cli").address("10.9.0.1").transport(udp).build();
                TcpSocket s = stack.connect(new InetSocketAddress(IpAddress.parse("10.9.0.2").toInetAddress(), 7))) {
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            byte[] buf = new byte[4096];
            String line;
            while ((line = stdin.readLine()) != null) {
                s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    System.out.println("server close");
                    return;
                }
                System.out.print(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        }
    }
}
