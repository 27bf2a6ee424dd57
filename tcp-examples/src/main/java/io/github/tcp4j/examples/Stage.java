package io.github.tcp4j.examples;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.host.ConnectionInfo;
import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.pcap.PcapPrecision;
import io.github.tcp4j.core.pcap.PcapWriter;
import io.github.tcp4j.core.transport.LadderDiagram;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimLink;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The set of one tour scenario: a client host (10.0.0.1) and a server host (10.0.0.2), each
 * running a real tcp4j host, joined by a simulated 10 ms link, on virtual time. It narrates,
 * prints netstat views of both hosts, records every segment and state change for the ladder
 * diagram, and writes a pcap of the scenario.
 */
final class Stage implements AutoCloseable {

    static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");
    static final IpAddress SERVER = IpAddress.parse("10.0.0.2");
    private static final int WIDTH = 78;

    final SimNetwork net;
    final SimLink link;
    final TcpHost client;
    final TcpHost server;
    final List<TransitionRecord> transitions = new ArrayList<>();
    private final LadderDiagram ladder;
    private final PrintStream out;
    private final PcapWriter pcap;
    private final List<TcpConnection> toClose = new ArrayList<>();
    private final List<TcpListener> listenersToClose = new ArrayList<>();

    Stage(PrintStream out, TcpConfig config, Path pcapFile, long seed) {
        this.out = out;
        net = new SimNetwork(seed);
        SimHost clientHost = net.addHost("client", CLIENT);
        SimHost serverHost = net.addHost("server", SERVER);
        link = net.link(clientHost, serverHost, LinkConfig.builder().latency(Duration.ofMillis(10)).build());
        client = TcpHost.attach(net, clientHost, config, seed * 31 + 1);
        server = TcpHost.attach(net, serverHost, config, seed * 31 + 2);
        ladder = new LadderDiagram("client", CLIENT, "server", SERVER).relativeSequenceNumbers().attach(net);
        client.addTransitionListener(ladder::onTransition);
        server.addTransitionListener(ladder::onTransition);
        client.addTransitionListener(transitions::add);
        server.addTransitionListener(transitions::add);
        try {
            pcap = pcapFile == null ? null : new PcapWriter(new FileOutputStream(pcapFile.toFile()), net.clock(),
                    PcapPrecision.MICROSECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (pcap != null) {
            net.addTap(pcap::writeSegment);
        }
    }

    // ------------------------------------------------------------------ narration

    /** Prints a paragraph, wrapped to 78 columns. */
    void say(String text) {
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > WIDTH) {
                out.println(line);
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            out.println(line);
        }
    }

    /** Prints one event line stamped with the virtual time. */
    void note(String text) {
        out.printf(Locale.ROOT, "  [%8.3f s] %s%n", net.now() / 1e9, text);
    }

    /** Prints the netstat views of both hosts, as a learner would run netstat on each. */
    void netstat(String moment) {
        out.println();
        say(String.format(Locale.ROOT, "  netstat at %.3f s: %s", net.now() / 1e9, moment));
        printNetstat("client", client);
        printNetstat("server", server);
        out.println();
    }

    private void printNetstat(String name, TcpHost host) {
        List<ConnectionInfo> rows = host.netstat();
        out.println("  " + name + (rows.isEmpty() ? ": (no connections)" : ":"));
        if (!rows.isEmpty()) {
            for (String l : ConnectionInfo.format(rows).split("\n")) {
                out.println("  " + l);
            }
        }
    }

    /** Prints the ladder diagram of everything so far. */
    void ladder() {
        out.println();
        out.println("  The scenario as a ladder diagram (sequence numbers relative to each ISN;");
        out.println("  X: lost on the way):");
        out.println();
        out.print(ladder.render());
    }

    // ------------------------------------------------------------------ actions

    /** Lets {@code d} of virtual time pass. */
    void run(Duration d) {
        net.advance(d);
    }

    TcpListener listen(int port, boolean reuseAddress) {
        TcpListener l = server.listen(null, port, 8, reuseAddress);
        listenersToClose.add(l);
        return l;
    }

    TcpConnection connect(TcpHost from, int localPort, IpAddress to, int port, ConnectionHandler handler) {
        TcpConnection c = from.connect(null, localPort, to, port, handler);
        toClose.add(c);
        return c;
    }

    /** Waits (in virtual time, at most 10 s) for a connection in {@code l}'s accept queue and accepts it. */
    TcpConnection accept(TcpListener l) {
        net.runUntil(() -> l.acceptQueueLength() > 0, Duration.ofSeconds(10));
        TcpConnection c = l.accept();
        if (c == null) {
            throw new IllegalStateException("nothing to accept on " + l);
        }
        toClose.add(c);
        return c;
    }

    /** Writes text on c, printing the call and its outcome (an error is printed, not thrown). */
    void write(String who, TcpConnection c, String text) {
        ByteBuf data = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            int n = c.send(data);
            note(who + ": write(\"" + text + "\") = " + n);
        } catch (TcpException e) {
            note(who + ": write(\"" + text + "\") failed: " + e.error().message());
        } finally {
            data.release();
        }
    }

    /** Reads what has arrived on c and prints it ("end of stream" for -1). */
    String read(String who, TcpConnection c) {
        ByteBuf buf = Unpooled.buffer(4096);
        try {
            int n = c.receive(buf);
            String got = n < 0 ? "end of stream" : n == 0 ? "nothing yet" : "\"" + buf.toString(StandardCharsets.UTF_8) + "\"";
            note(who + ": read() = " + (n < 0 ? "-1, " : n + ", ") + got);
            return n < 0 ? null : buf.toString(StandardCharsets.UTF_8);
        } catch (TcpException e) {
            note(who + ": read() failed: " + e.error().message());
            return null;
        } finally {
            buf.release();
        }
    }

    /** Runs a call that may fail, printing "ok" or the error. */
    void call(String what, Runnable r) {
        try {
            r.run();
            note(what + ": ok");
        } catch (TcpException e) {
            note(what + ": failed: " + e.error().message());
        }
    }

    /** Closes everything the scenario left open and the network (buffers released). */
    @Override
    public void close() {
        toClose.forEach(TcpConnection::abort);
        listenersToClose.forEach(TcpListener::close);
        net.close();
        if (pcap != null) {
            pcap.close();
        }
    }
}
