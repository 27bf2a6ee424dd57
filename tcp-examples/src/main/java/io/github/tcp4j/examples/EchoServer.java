package io.github.tcp4j.examples;

import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.api.UdpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The source articles' echo_serv on tcp4j. Without arguments it plays a short session with
 * {@link EchoClient} on the simulated network (the server closes after two lines). With
 * {@code --udp PORT} it is a real server: stack address 10.9.0.2, TCP port 7, carried in UDP
 * datagrams on 127.0.0.1:PORT, echoing every connection until the client closes; run
 * {@code EchoClient --udp 127.0.0.1:PORT} in another terminal.
 */
public final class EchoServer {

    private EchoServer() {
    }

    /** Runs the server (see the class comment for the arguments). */
    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--udp")) {
            serveOverUdp(Integer.parseInt(args[1]));
            return;
        }
        EchoPair.run(System.out, List.of("hello", "world", "anyone there?"), 2);
    }

    private static void serveOverUdp(int udpPort) throws IOException {
        UdpTransport udp = new UdpTransport(new InetSocketAddress("127.0.0.1", udpPort), null);
        try (TcpStack stack = TcpStack.builder().name("echo_serv").address("10.9.0.2").transport(udp).build();
                TcpServerSocket listener = stack.listen(7)) {
            System.out.println("echo_serv: listening on 10.9.0.2:7 over UDP 127.0.0.1:" + udpPort);
            while (true) {
                TcpSocket s = listener.accept();
                Thread worker = new Thread(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        System.out.println("echo_serv: " + e.getMessage());
                    }
                }, "echo " + s.getRemoteSocketAddress());
                worker.setDaemon(true);
                worker.start();
            }
        }
    }
}
