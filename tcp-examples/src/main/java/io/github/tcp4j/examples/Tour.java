package io.github.tcp4j.examples;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The guided tour of TCP's state machine: the classic scenarios of the socket textbooks, each
 * run on tcp4j's real protocol engine over a simulated network in virtual time (a four-minute
 * TIME-WAIT passes in microseconds). For each, it narrates what the applications do, prints
 * netstat views of both hosts at the key moments, and draws the whole exchange as a ladder
 * diagram with both sides' states. Each scenario's capture goes to {@code target/tour-NAME.pcap}.
 *
 * <pre>
 * mvn -q -pl tcp-examples -am compile exec:java                       # every scenario
 * mvn -q -pl tcp-examples -am compile exec:java -Dexec.args=--help    # the list
 * mvn -q -pl tcp-examples -am compile exec:java -Dexec.args=simultaneous-close
 * </pre>
 */
public final class Tour {

    /** One scenario: its name on the command line, a title, and the code that plays it. */
    record Scenario(String name, String title, Consumer<Stage> play) {
    }

    static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        add("handshake", "The three-way handshake", Tour::handshake);
        add("lost-syn", "A lost SYN: the retransmission timer", Tour::lostSyn);
        add("client-closes-first", "Client closes first: TIME_WAIT on the client", Tour::clientClosesFirst);
        add("server-closes-first", "Server closes first: TIME_WAIT on the server",
                Tour::serverClosesFirst);
        add("fin-wait-1-to-time-wait", "FIN_WAIT_1 straight to TIME_WAIT (FIN+ACK at once)", Tour::finAckTogether);
        add("simultaneous-open", "Simultaneous open: SYN_SENT -> SYN_RECEIVED", Tour::simultaneousOpen);
        add("simultaneous-close", "Simultaneous close: the CLOSING state", Tour::simultaneousClose);
        add("refused", "A closed port: RST, \"connection refused\"", Tour::refused);
        add("broken-pipe", "Writing to a gone peer: RST, then \"broken pipe\"", Tour::brokenPipe);
        add("address-in-use", "Restart in TIME_WAIT: \"address already in use\"", Tour::addressInUse);
        add("never-closes", "A peer that never closes: FIN_WAIT_2, CLOSE_WAIT", Tour::neverCloses);
        add("lost-final-ack", "A lost final ACK: LAST_ACK resends its FIN", Tour::lostFinalAck);
        add("syn-received-to-listen", "SYN_RECEIVED back to LISTEN on a RST", Tour::synReceivedToListen);
        add("listen-to-syn-sent", "LISTEN to SYN_SENT: a listener connects", Tour::listenToSynSent);
        add("syn-received-to-fin-wait-1", "SYN_RECEIVED to FIN_WAIT_1: close mid-handshake", Tour::synReceivedToFinWait1);
    }

    private static void add(String name, String title, Consumer<Stage> play) {
        SCENARIOS.put(name, new Scenario(name, title, play));
    }

    private Tour() {
    }

    /** Runs every scenario, or the ones named; {@code --help} lists them. */
    public static void main(String[] args) throws IOException {
        List<Scenario> chosen = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                printHelp(System.out);
                return;
            }
            Scenario s = SCENARIOS.get(a);
            if (s == null) {
                System.err.println("no scenario named \"" + a + "\"");
                printHelp(System.err);
                System.exit(2);
            }
            chosen.add(s);
        }
        run(System.out, chosen.isEmpty() ? List.copyOf(SCENARIOS.values()) : chosen, captureDirectory());
    }

    static void printHelp(PrintStream out) {
        out.println("tcp4j tour: TCP's state machine, scenario by scenario, on a simulated network.");
        out.println("Run all (no argument) or name one or more:");
        SCENARIOS.values().forEach(s -> out.printf("  %-24s %s%n", s.name(), s.title()));
    }

    /** Plays the scenarios, printing to {@code out}; captures go to {@code pcapDir} (null: none). */
    static void run(PrintStream out, List<Scenario> scenarios, Path pcapDir) {
        out.println("tcp4j tour: the 11 TCP states, scenario by scenario");
        out.println("client 10.0.0.1 <-- 10 ms --> server 10.0.0.2, all on virtual time");
        int n = 0;
        for (Scenario s : scenarios) {
            n++;
            out.println();
            out.println("=".repeat(78));
            out.printf("%d. %s%n   (alone: exec:java -Dexec.args=%s)%n", n, s.title(), s.name());
            out.println("=".repeat(78));
            Path pcap = pcapDir == null ? null : pcapDir.resolve("tour-" + s.name() + ".pcap");
            try (Stage stage = new Stage(out, TcpConfig.defaults(), pcap, 2026 + n)) {
                s.play().accept(stage);
                stage.ladder();
            }
            if (pcap != null) {
                out.println();
                out.println("  capture for Wireshark (or tshark -r): " + pcap.getFileName());
            }
        }
    }

    private static Path captureDirectory() throws IOException {
        Path target = Paths.get("target");
        if (!Files.isDirectory(target)) {
            target = Paths.get("tcp-examples", "target");
        }
        Files.createDirectories(target);
        return target;
    }

    // =================================================================== the scenarios

    /** A server on port 80 and a client connected to it, both ESTABLISHED. */
    private static TcpConnection[] open(Stage s) {
        TcpListener listener = s.listen(80, false);
        TcpConnection c = s.connect(s.client, 40000, Stage.SERVER, 80, ConnectionHandler.NONE);
        TcpConnection d = s.accept(listener);
        return new TcpConnection[] {c, d};
    }

    static void handshake(Stage s) {
        s.say("The server calls listen() on port 80 (CLOSED -> LISTEN, a passive open). The client calls connect() "
                + "(CLOSED -> SYN_SENT, an active open): it sends SYN with its initial sequence number. The server "
                + "answers SYN,ACK (LISTEN -> SYN_RECEIVED), and the client's ACK completes the handshake: both "
                + "sides are ESTABLISHED, and each has acknowledged the other's SYN (ACK = ISN + 1).");
        TcpListener listener = s.listen(80, false);
        s.netstat("the server listens");
        TcpConnection c = s.connect(s.client, 40000, Stage.SERVER, 80, ConnectionHandler.NONE);
        s.netstat("right after connect(): the SYN is on its way");
        TcpConnection d = s.accept(listener);
        s.note("server: accept() returned " + d.remoteAddress() + ":" + d.remotePort());
        s.run(Duration.ofMillis(50));
        s.netstat("after the handshake");
        s.write("client", c, "hello");
        s.run(Duration.ofMillis(50));
        s.read("server", d);
        s.say("Each data segment is acknowledged: the ACK number is the next byte expected.");
    }

    static void lostSyn(Stage s) {
        s.say("The link to the server is cut for the first 500 ms, so the client's first SYN is lost. Nothing comes "
                + "back; after the retransmission timeout (1 s before any round trip was measured, RFC 6298) the "
                + "client sends the SYN again, with the same sequence number.");
        s.link.aToB().partition();
        s.link.aToB().healAt(500_000_000L);
        TcpListener listener = s.listen(80, false);
        TcpConnection c = s.connect(s.client, 40000, Stage.SERVER, 80, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(900));
        s.netstat("0.9 s after connect(): still SYN_SENT, the retransmission timer running");
        s.accept(listener);
        s.note("client: " + c.state() + " after one retransmission");
    }

    static void clientClosesFirst(Stage s) {
        s.say("The client closes first (the active close): FIN_WAIT_1, then FIN_WAIT_2 when its FIN is acknowledged. "
                + "The server reads end of stream (CLOSE_WAIT), closes too (LAST_ACK) and is gone (CLOSED) when its "
                + "FIN is acknowledged. The client stays in TIME_WAIT for 2MSL (60 s here): to answer a lost final "
                + "ACK's retransmitted FIN, and to let old duplicates of this connection die out.");
        TcpConnection[] cd = open(s);
        s.call("client: close()", cd[0]::close);
        s.run(Duration.ofMillis(30));
        s.netstat("the client's FIN is acknowledged; the server has not closed yet");
        s.read("server", cd[1]);
        s.call("server: close()", cd[1]::close);
        s.run(Duration.ofMillis(30));
        s.netstat("both have closed: only the client's TIME_WAIT remains");
        s.run(Duration.ofSeconds(61));
        s.netstat("2MSL later");
    }

    static void serverClosesFirst(Stage s) {
        s.say("Now the server closes first. The roles swap: the server goes through FIN_WAIT_1 and FIN_WAIT_2 "
                + "and ends in TIME_WAIT; the client sits in CLOSE_WAIT until its application notices end of "
                + "stream and closes. TIME_WAIT is on the side that closed first, here the server: that is why busy "
                + "servers that close first collect TIME_WAIT connections on their port.");
        TcpConnection[] cd = open(s);
        s.call("server: close()", cd[1]::close);
        s.run(Duration.ofMillis(30));
        s.netstat("the client has not noticed yet: CLOSE_WAIT");
        s.read("client", cd[0]);
        s.call("client: close()", cd[0]::close);
        s.run(Duration.ofMillis(30));
        s.netstat("the server holds TIME_WAIT on port 80");
    }

    static void finAckTogether(Stage s) {
        s.say("When the peer closes as soon as it reads end of stream, its FIN can travel in the same segment as "
                + "the ACK of ours. The client then goes from FIN_WAIT_1 straight to TIME_WAIT, never visiting "
                + "FIN_WAIT_2 (RFC 9293 3.10.7.4).");
        TcpListener listener = s.listen(80, false);
        listener.handler(l -> {
            TcpConnection d = l.accept();
            d.handler(new ConnectionHandler() {
                @Override
                public void onReadable(TcpConnection conn) {
                    if (conn.finReceived()) {
                        s.note("server: end of stream, close() at once");
                        conn.close();
                    }
                }
            });
        });
        TcpConnection c = s.connect(s.client, 40000, Stage.SERVER, 80, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(50));
        s.call("client: close()", c::close);
        s.run(Duration.ofMillis(50));
        s.netstat("the client went FIN_WAIT_1 -> TIME_WAIT");
    }

    static void simultaneousOpen(Stage s) {
        s.say("Both ends call connect() to each other at the same moment, from fixed ports and with no listener. "
                + "Each sends a SYN and, in SYN_SENT, receives the other's bare SYN: each answers SYN,ACK with its "
                + "own initial sequence number again, moves to SYN_RECEIVED, and reaches ESTABLISHED when its SYN is "
                + "acknowledged. One connection, no server.");
        TcpConnection c = s.connect(s.client, 5000, Stage.SERVER, 6000, ConnectionHandler.NONE);
        TcpConnection d = s.connect(s.server, 6000, Stage.CLIENT, 5000, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(15));
        s.netstat("both SYNs crossed on the wire");
        s.run(Duration.ofMillis(50));
        s.note("client: " + c.state() + ", server: " + d.state());
    }

    static void simultaneousClose(Stage s) {
        s.say("Both applications call close() at the same moment. Each sends FIN (FIN_WAIT_1) and receives the "
                + "other's FIN before the ACK of its own: that is CLOSING, the eleventh state. When the ACKs arrive, "
                + "both go to TIME_WAIT.");
        TcpConnection[] cd = open(s);
        s.call("client: close()", cd[0]::close);
        s.call("server: close()", cd[1]::close);
        s.run(Duration.ofMillis(15));
        s.netstat("the FINs crossed: both CLOSING");
        s.run(Duration.ofMillis(30));
        s.netstat("both in TIME_WAIT");
    }

    static void refused(Stage s) {
        s.say("Nobody listens on port 81. The server's TCP answers the SYN with a RST (<SEQ=0><ACK=SEG.SEQ+1>"
                + "<CTL=RST,ACK>, RFC 9293 3.10.7.1), and the client's connect() fails: \"connection refused\".");
        TcpConnection c = s.connect(s.client, 40000, Stage.SERVER, 81, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(50));
        s.note("client: " + c.state() + ", failure: " + c.failure().message());
        s.write("client", c, "anyone?");
    }

    static void brokenPipe(Stage s) {
        s.say("The server closes its socket; the client does not notice and writes. The data reaches a connection "
                + "whose application is gone, so the server answers with RST (RFC 9293 3.10.7.4, RFC 2525 2.17). "
                + "The client's next write fails with \"connection reset\", and every write after that with \"broken "
                + "pipe\" -- the EPIPE error that a C program gets with a SIGPIPE signal, which by default kills it.");
        TcpConnection[] cd = open(s);
        s.call("server: close()", cd[1]::close);
        s.run(Duration.ofMillis(30));
        s.netstat("client in CLOSE_WAIT, server in FIN_WAIT_2");
        s.write("client", cd[0], "are you there?");
        s.run(Duration.ofMillis(30));
        s.netstat("the RST arrived: the client's connection is gone");
        s.write("client", cd[0], "hello?");
        s.write("client", cd[0], "hello??");
    }

    static void addressInUse(Stage s) {
        s.say("The server closes a connection first, so that connection stays in TIME_WAIT on port 80. The server "
                + "program then restarts: listen() on port 80 fails with \"address already in use\" while the "
                + "TIME_WAIT lasts -- unless the new listener sets SO_REUSEADDR, which allows it.");
        TcpConnection[] cd = open(s);
        s.call("server: close() the connection", cd[1]::close);
        s.run(Duration.ofMillis(30));
        s.read("client", cd[0]);
        s.call("client: close()", cd[0]::close);
        s.run(Duration.ofMillis(30));
        TcpListener old = s.server.listeners().get(0);
        s.call("server: the program exits, its listener closes", old::close);
        s.netstat("the old connection's TIME_WAIT holds port 80");
        s.call("server: listen(80)", () -> s.listen(80, false));
        s.call("server: listen(80) with SO_REUSEADDR", () -> s.listen(80, true));
        TcpConnection again = s.connect(s.client, 0, Stage.SERVER, 80, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(50));
        s.note("client: a new connection from port " + again.localPort() + ": " + again.state());
    }

    static void neverCloses(Stage s) {
        s.say("The client shuts down its output (a half-close: shutdown(SHUT_WR)) and its FIN is acknowledged: "
                + "FIN_WAIT_2. The server never closes, so the client waits in FIN_WAIT_2 and the server in "
                + "CLOSE_WAIT for as long as that lasts; the client can still read what the server sends. Had the "
                + "client called close() instead, its connection would be orphaned, and an orphaned FIN_WAIT_2 is "
                + "given up after 60 s (Linux's tcp_fin_timeout).");
        TcpConnection[] cd = open(s);
        s.call("client: shutdownOutput()", cd[0]::shutdownOutput);
        s.run(Duration.ofMinutes(10));
        s.netstat("ten minutes later: still FIN_WAIT_2 and CLOSE_WAIT");
        s.write("server", cd[1], "still here");
        s.run(Duration.ofMillis(30));
        s.read("client", cd[0]);
        s.call("client: close(), the connection is now orphaned", cd[0]::close);
        s.run(Duration.ofSeconds(61));
        s.netstat("61 s later: the client gave up; the server still holds CLOSE_WAIT");
    }

    static void lostFinalAck(Stage s) {
        s.say("The client closes first; the server closes too, but the client's final ACK is lost. The server, in "
                + "LAST_ACK, retransmits its FIN after its retransmission timeout; the client, in TIME_WAIT for exactly "
                + "this reason, acknowledges it again and restarts its 2MSL timer.");
        TcpConnection[] cd = open(s);
        s.call("client: close()", cd[0]::close);
        s.run(Duration.ofMillis(30));
        s.read("server", cd[1]);
        s.link.aToB().partition();
        s.call("server: close()", cd[1]::close);
        s.run(Duration.ofMillis(30));
        s.link.aToB().heal();
        s.netstat("the final ACK was lost: the server is still in LAST_ACK");
        s.run(Duration.ofSeconds(2));
        s.netstat("the retransmitted FIN was acknowledged");
    }

    static void synReceivedToListen(Stage s) {
        s.say("The client gives up on its connect() at once (close() in SYN_SENT deletes the connection and "
                + "sends nothing). Its SYN still reaches the server, which answers SYN,ACK from SYN_RECEIVED; the "
                + "client's TCP has no such connection any more and answers with a RST. A RST in SYN_RECEIVED "
                + "sends a connection that came from a listener back to LISTEN (RFC 9293 3.10.7.4): the "
                + "half-open connection disappears and the server keeps listening.");
        TcpListener listener = s.listen(80, false);
        TcpConnection c = s.connect(s.client, 40000, Stage.SERVER, 80, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(5));
        s.call("client: close() while SYN_SENT", c::close);
        s.run(Duration.ofMillis(12));
        s.netstat("the server's half-open connection waits for the ACK");
        s.run(Duration.ofMillis(30));
        s.netstat("after the RST: nothing but the listener");
        s.note("server: accept queue " + listener.acceptQueueLength() + ", SYN queue " + listener.synQueueLength());
    }

    static void listenToSynSent(Stage s) {
        s.say("A listening socket may turn into an active open: connect() on a socket in LISTEN sends a SYN and "
                + "moves it to SYN_SENT (RFC 9293 3.10.1). The BSD socket API has no such call, but the state "
                + "machine has the transition; tcp4j's TcpListener.connect makes it.");
        TcpListener serverSide = s.listen(80, false);
        TcpListener clientSide = s.client.listen(Stage.CLIENT, 6000, 4, false);
        s.netstat("both sides listen");
        TcpConnection c = clientSide.connect(Stage.SERVER, 80, ConnectionHandler.NONE);
        s.note("client: the listener on 6000 is now " + c.state() + " towards 10.0.0.2:80");
        TcpConnection d = s.accept(serverSide);
        s.run(Duration.ofMillis(20));
        s.note("client: " + c.state() + ", server: " + d.state());
        c.abort();
    }

    static void synReceivedToFinWait1(Stage s) {
        s.say("Two ends open at once (simultaneous open) and one closes while still in SYN_RECEIVED: it sends its "
                + "FIN at once and moves to FIN_WAIT_1 (RFC 9293 3.10.4). The handshake and the close then finish "
                + "together.");
        TcpConnection c = s.connect(s.client, 5000, Stage.SERVER, 6000, ConnectionHandler.NONE);
        TcpConnection d = s.connect(s.server, 6000, Stage.CLIENT, 5000, ConnectionHandler.NONE);
        s.run(Duration.ofMillis(12));
        s.note("client: " + c.state() + ", server: " + d.state());
        s.call("client: close() in SYN_RECEIVED", c::close);
        s.run(Duration.ofMillis(30));
        s.netstat("the server saw the handshake complete and then the FIN");
        s.read("server", d);
        s.call("server: close()", d::close);
        s.run(Duration.ofMillis(50));
        s.netstat("both closed");
    }
}
