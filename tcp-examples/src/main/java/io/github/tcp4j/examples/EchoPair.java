package io.github.tcp4j.examples;

import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The source articles' echo_serv and echo_cli on one simulated network, in virtual time: the
 * server echoes what it reads and closes after {@code linesBeforeClose} lines; the client sends
 * its lines, prints each echo, and prints "server close" when read returns end of stream.
 */
final class EchoPair {

    static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");
    static final IpAddress SERVER = IpAddress.parse("10.0.0.2");

    private EchoPair() {
    }

    static void run(PrintStream out, List<String> lines, int linesBeforeClose) throws IOException {
        try (SimNetwork net = new SimNetwork(7)) {
            SimHost a = net.addHost("client", CLIENT);
            SimHost b = net.addHost("server", SERVER);
            net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(5)).build());
            try (TcpStack client = TcpStack.builder().simulated(net, a).secret(1).build();
                    TcpStack server = TcpStack.builder().simulated(net, b).secret(2).build()) {
                TcpServerSocket listener = server.listen(7);
                listener.acceptAsync().thenAccept(s -> echo(s, out, linesBeforeClose, new int[1]));
                TcpSocket c = client.connect(new InetSocketAddress(SERVER.toInetAddress(), 7));
                out.println("echo_cli: connected to " + c.getRemoteSocketAddress());
                byte[] buf = new byte[1024];
                boolean serverClosed = false;
                for (String line : lines) {
                    c.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    int n = c.getInputStream().read(buf);
                    if (n < 0) {
                        serverClosed = true;
                        break;
                    }
                    out.print("echo_cli: " + new String(buf, 0, n, StandardCharsets.UTF_8));
                }
                if (serverClosed || c.getInputStream().read(buf) < 0) {
                    out.println("server close");
                }
                c.close();
                net.advance(Duration.ofMillis(50));
                out.println("netstat on the server after the client closed:");
                out.print(server.netstat());
            }
        }
    }

    /** The server's side, asynchronous (it runs inside the simulation): read, write back, close after the last line. */
    private static void echo(TcpSocket s, PrintStream out, int linesBeforeClose, int[] count) {
        ByteBuffer in = ByteBuffer.allocate(1024);
        s.readAsync(in).thenAccept(n -> {
            if (n < 0) {
                s.close();
                return;
            }
            in.flip();
            out.print("echo_serv: " + StandardCharsets.UTF_8.decode(in.duplicate()));
            s.writeAsync(in).thenRun(() -> {
                if (++count[0] == linesBeforeClose) {
                    out.println("echo_serv: closing the connection");
                    s.close();
                } else {
                    echo(s, out, linesBeforeClose, count);
                }
            });
        });
    }
}
