package io.github.tcp4j.core.host;

import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.PeerScript;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One tcp4j host (the stack under test, 10.0.0.1) and a scripted peer (10.0.0.2) over a 10 ms
 * link: the stack's transition stream and the wire are recorded. Closing releases every script
 * and closes the network.
 */
final class StackAndPeer implements AutoCloseable {

    static final IpAddress STACK = IpAddress.parse("10.0.0.1");
    static final IpAddress PEER = IpAddress.parse("10.0.0.2");
    /** The window the scripted peer advertises. */
    static final int PEER_WINDOW = 65535;

    final SimNetwork net;
    final SimHost simStack;
    final SimHost simPeer;
    final TcpHost stack;
    final List<TransitionRecord> transitions = new ArrayList<>();
    final WireRecorder wire;
    private final List<PeerScript> scripts = new ArrayList<>();

    StackAndPeer() {
        this(TcpConfig.defaults());
    }

    StackAndPeer(TcpConfig config) {
        net = new SimNetwork(11);
        simStack = net.addHost("stack", STACK);
        simPeer = net.addHost("peer", PEER);
        net.link(simStack, simPeer, LinkConfig.builder().latency(Duration.ofMillis(10)).build());
        stack = CellTally.watch(TcpHost.attach(net, simStack, config, 5));
        stack.addTransitionListener(transitions::add);
        wire = WireRecorder.on(net, Map.of(STACK, "stack", PEER, "peer"));
    }

    /** A script on the peer's port {@code peerPort} talking to the stack's {@code stackPort} (it replaces any earlier script). */
    PeerScript script(int peerPort, int stackPort) {
        PeerScript s = PeerScript.attach(net, simPeer, peerPort, STACK, stackPort);
        scripts.add(s);
        return s;
    }

    /** The states the stack's connection with this local port went through (all connections on it, in order). */
    List<TcpState> statesOf(int localPort) {
        return recordsOf(localPort).stream().map(TransitionRecord::to).collect(Collectors.toList());
    }

    /** The transitions of the stack's connections on local port {@code localPort}. */
    List<TransitionRecord> recordsOf(int localPort) {
        String prefix = STACK + ":" + localPort + " ";
        return transitions.stream().filter(t -> t.connection().startsWith(prefix)).collect(Collectors.toList());
    }

    /** The transitions of one connection, by its 4-tuple string ("10.0.0.1:80 > 10.0.0.2:40000"). */
    List<TcpState> statesOf(String tuple) {
        return transitions.stream().filter(t -> t.connection().equals(tuple)).map(TransitionRecord::to)
                .collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ hand-made segments

    static TcpSegment seg(int flags, int seq, int ack) {
        return new TcpSegment().flags(flags).seq(seq).ack(ack).window(PEER_WINDOW);
    }

    static TcpSegment syn(int seq) {
        return new TcpSegment().flags(TcpFlags.SYN).seq(seq).window(PEER_WINDOW).mss(1460);
    }

    static TcpSegment synAck(int seq, int ack) {
        return new TcpSegment().flags(TcpFlags.SYN | TcpFlags.ACK).seq(seq).ack(ack).window(PEER_WINDOW).mss(1460);
    }

    static TcpSegment data(int flags, int seq, int ack, String text) {
        return seg(flags, seq, ack).payload(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** True if the control bits of {@code s}, PSH aside, are exactly {@code flags}. */
    static boolean flagsAre(TcpSegment s, int flags) {
        return (s.flags() & ~TcpFlags.PSH) == flags;
    }

    @Override
    public void close() {
        scripts.forEach(PeerScript::release);
        net.close();
    }
}
