package io.github.tcp4j.tun;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's side of an interop test: a {@code java.net.Socket} (so the Linux kernel's TCP) in a
 * process of its own, started by {@link KernelSide} under {@code ip netns exec}. It connects, or
 * listens and accepts one connection, then obeys commands read line by line from stdin and
 * reports on stdout, one line per event:
 *
 * <pre>
 * start:  connect HOST PORT   -> CONNECTED | REFUSED message | ERROR message (then exits)
 *         listen HOST PORT    -> LISTENING, then ACCEPTED
 * stdin:  send LENGTH SEED    -> (in the background) SENT sha256 | SEND-FAILED message
 *         recv                -> (in the background) EOF length sha256 | RECV-FAILED message
 *         shutdown            -> SHUTDOWN        (FIN after what was sent)
 *         close               -> CLOSED
 *         abort               -> ABORTED         (SO_LINGER 0: close sends RST)
 *         exit                -> the process ends
 * </pre>
 */
public final class KernelPeer {

    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    private KernelPeer() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Socket socket = open(args[0], new InetSocketAddress(args[1], Integer.parseInt(args[2])));
            if (socket != null) {
                obey(socket);
            }
        } finally {
            System.exit(0); // also when background threads still block in a read
        }
    }

    /** Connects or accepts, reporting the outcome; null if there is no connection. */
    private static Socket open(String how, InetSocketAddress address) throws IOException {
        if (how.equals("connect")) {
            Socket socket = new Socket();
            try {
                socket.connect(address, 10_000);
            } catch (ConnectException e) {
                say("REFUSED " + e.getMessage());
                return null;
            } catch (IOException e) {
                say("ERROR " + e);
                return null;
            }
            say("CONNECTED " + socket.getLocalPort());
            return socket;
        }
        try (ServerSocket server = new ServerSocket()) {
            server.bind(address);
            say("LISTENING");
            Socket socket = server.accept();
            say("ACCEPTED " + socket.getPort());
            return socket;
        }
    }

    private static void obey(Socket socket) throws Exception {
        Thread sender = null;
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            String[] c = line.trim().split(" ");
            switch (c[0]) {
                case "send" -> {
                    long length = Long.parseLong(c[1]);
                    long seed = Long.parseLong(c[2]);
                    sender = background(() -> {
                        try {
                            say("SENT " + TestStream.write(socket.getOutputStream(), length, seed));
                        } catch (IOException e) {
                            say("SEND-FAILED " + e.getMessage());
                        }
                    });
                }
                case "recv" -> background(() -> {
                    try {
                        TestStream.Received r = TestStream.read(socket.getInputStream());
                        say("EOF " + r.length() + " " + r.sha256());
                    } catch (IOException e) {
                        say("RECV-FAILED " + e.getMessage());
                    }
                });
                case "shutdown" -> {
                    if (sender != null) {
                        sender.join();
                    }
                    socket.shutdownOutput();
                    say("SHUTDOWN");
                }
                case "close" -> {
                    socket.close();
                    say("CLOSED");
                }
                case "abort" -> {
                    abort(socket);
                    say("ABORTED");
                }
                case "exit" -> {
                    return;
                }
                default -> say("ERROR unknown command " + line);
            }
        }
    }

    private static void abort(Socket socket) throws SocketException, IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static Thread background(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static synchronized void say(String line) {
        OUT.println(line);
    }
}
