package io.github.tcp4j.examples;

import io.github.tcp4j.core.pcap.PcapPrecision;
import io.github.tcp4j.core.pcap.PcapWriter;
import io.github.tcp4j.core.transport.LadderDiagram;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimLink;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * A first look at a TCP connection's life on tcp4j's simulated network: the three-way handshake
 * (with the first SYN lost, so the retransmission timer shows), one message, the four-way close,
 * and TIME_WAIT's two maximum segment lifetimes, all in virtual time: the run takes milliseconds
 * although a minute passes on the simulated clock.
 *
 * <p>Every segment is encoded by tcp4j's codec, carried as bytes over a 10 ms link and decoded
 * (checksum verified) at the other end; the capture goes to {@code target/first-look.pcap}
 * (open it with Wireshark or {@code tshark -r}).
 *
 * <p>Run it with {@code mvn -q -pl tcp-examples -am compile exec:java}. Pass a file name as the
 * first argument to write the capture elsewhere.
 */
public final class FirstLook {

    private FirstLook() {
    }

    /** Runs the first look, printing to standard output. */
    public static void main(String[] args) throws IOException {
        Path pcap = args.length > 0 ? Paths.get(args[0]) : defaultCapturePath();
        run(System.out, pcap);
    }

    /**
     * Runs the scenario, printing each event to {@code out} and writing the capture to
     * {@code pcapFile}.
     *
     * @return the two peers, for tests to inspect
     */
    static ScriptedPeer[] run(PrintStream out, Path pcapFile) throws IOException {
        IpAddress clientAddress = IpAddress.parse("10.0.0.1");
        IpAddress serverAddress = IpAddress.parse("10.0.0.2");
        try (SimNetwork net = new SimNetwork(2026);
                PcapWriter capture = new PcapWriter(new FileOutputStream(pcapFile.toFile()), net.clock(), PcapPrecision.MICROSECONDS)) {
            SimHost clientHost = net.addHost("client", clientAddress);
            SimHost serverHost = net.addHost("server", serverAddress);
            SimLink link = net.link(clientHost, serverHost, LinkConfig.builder().latency(Duration.ofMillis(10)).build());
            net.addTap(capture::writeSegment);
            LadderDiagram ladder = new LadderDiagram("client", clientAddress, "server", serverAddress).attach(net);

            ScriptedPeer.Listener print = (peer, text) -> out.printf("%10.6f s  %-6s  %s%n", net.now() / 1e9, peer, text);
            ScriptedPeer client = new ScriptedPeer("client", clientHost, 40000, 0x1000, net::now, print);
            ScriptedPeer server = new ScriptedPeer("server", serverHost, 80, 0x7000, net::now, print);
            clientHost.attach(client);
            serverHost.attach(server);
            client.onTransition(ladder::onTransition);
            server.onTransition(ladder::onTransition);

            out.println("tcp4j first look: one connection on the simulated network");
            out.println("client " + clientAddress + ":40000  <-- 10 ms -->  server " + serverAddress + ":80");
            out.println("the link to the server is cut for the first 500 ms, so the first SYN is lost");
            out.println();

            link.aToB().partition();
            link.aToB().healAt(500_000_000L);
            server.listen();
            client.connect(serverAddress, 80, "hello, tcp4j");
            net.runUntilIdle();

            out.println();
            out.println("The same run as a ladder diagram (X: lost on the way):");
            out.println();
            out.print(ladder.render());
            out.println();
            out.println("final states: client " + client.state() + ", server " + server.state());
            out.println("server received: \"" + server.received() + "\"");
            out.println("client -> server: " + link.aToB().stats());
            out.println("server -> client: " + link.bToA().stats());
            out.printf("virtual time elapsed: %.3f s in %d simulator steps%n", net.now() / 1e9, net.eventsProcessed());
            out.println("capture: " + pcapFile + " (" + capture.packetsWritten() + " packets)");
            out.println();
            out.println("This preview drives both ends with a fixed script over the real codec and network;");
            out.println("the table-driven state machine and the guided tour of all 11 states come next.");
            return new ScriptedPeer[] {client, server};
        }
    }

    private static Path defaultCapturePath() throws IOException {
        Path target = Paths.get("target");
        if (!Files.isDirectory(target)) {
            target = Paths.get("tcp-examples", "target");
        }
        Files.createDirectories(target);
        return target.resolve("first-look.pcap");
    }
}
