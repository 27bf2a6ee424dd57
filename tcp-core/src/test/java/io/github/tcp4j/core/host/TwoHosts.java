package io.github.tcp4j.core.host;

import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimLink;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Two tcp4j hosts, a (client) and b (server), on a simulated network with a 10 ms link; records transitions and segments. */
final class TwoHosts implements AutoCloseable {

    static final IpAddress A = IpAddress.parse("10.0.0.1");
    static final IpAddress B = IpAddress.parse("10.0.0.2");

    final SimNetwork net;
    final SimHost simA;
    final SimHost simB;
    final SimLink link;
    final TcpHost a;
    final TcpHost b;
    final List<TransitionRecord> transitions = new ArrayList<>();
    /** Every segment sent, decoded: "a>b [SYN] seq=... ack=..." style lines via {@link #wire()}. */
    final List<String> wireLog = new ArrayList<>();

    TwoHosts(TcpConfig config) {
        this(config, LinkConfig.builder().latency(Duration.ofMillis(10)).build(), 7);
    }

    TwoHosts(TcpConfig config, LinkConfig linkConfig, long seed) {
        net = new SimNetwork(seed);
        simA = net.addHost("a", A);
        simB = net.addHost("b", B);
        link = net.link(simA, simB, linkConfig);
        a = CellTally.watch(TcpHost.attach(net, simA, config, 1));
        b = CellTally.watch(TcpHost.attach(net, simB, config, 2));
        a.addTransitionListener(transitions::add);
        b.addTransitionListener(transitions::add);
        net.addTap(this::tap);
    }

    TwoHosts() {
        this(TcpConfig.defaults());
    }

    private void tap(IpAddress source, IpAddress destination, ByteBuf bytes) {
        try {
            TcpSegment s = TcpCodec.decodeUnverified(bytes.duplicate());
            wireLog.add((source.equals(A) ? "a>b " : "b>a ") + flagsOf(s));
            s.release();
        } catch (MalformedPacketException e) {
            wireLog.add("malformed");
        }
    }

    private static String flagsOf(TcpSegment s) {
        String f = io.github.tcp4j.core.wire.TcpFlags.toString(s.flags() & ~io.github.tcp4j.core.wire.TcpFlags.PSH);
        return f + (s.payloadLength() > 0 ? " len=" + s.payloadLength() : "");
    }

    /** The segments on the wire so far, e.g. "a>b SYN", "b>a SYN,ACK", "a>b ACK len=5". */
    List<String> wire() {
        return List.copyOf(wireLog);
    }

    /** The states one side's connection went through, e.g. [SYN_SENT, ESTABLISHED] for the local address. */
    List<TcpState> statesOf(IpAddress local, int localPort) {
        String prefix = local + ":" + localPort + " ";
        return transitions.stream().filter(t -> t.connection().startsWith(prefix)).map(TransitionRecord::to)
                .collect(Collectors.toList());
    }

    void run(Duration d) {
        net.advance(d);
    }

    static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** Reads everything available from c as text (empty when nothing). */
    static String readAll(TcpConnection c) {
        StringBuilder sb = new StringBuilder();
        ByteBuf buf = Unpooled.buffer(4096);
        try {
            while (true) {
                buf.clear();
                int n = c.receive(buf);
                if (n <= 0) {
                    break;
                }
                sb.append(buf.toString(StandardCharsets.UTF_8));
            }
        } finally {
            buf.release();
        }
        return sb.toString();
    }

    /** Sends all of text, failing if the buffer does not take it at once. */
    static void write(TcpConnection c, String s) {
        ByteBuf data = text(s);
        try {
            int n = c.send(data);
            if (n != data.writerIndex()) {
                throw new AssertionError("send buffer took " + n + " of " + data.writerIndex());
            }
        } finally {
            data.release();
        }
    }

    @Override
    public void close() {
        net.close();
    }
}
