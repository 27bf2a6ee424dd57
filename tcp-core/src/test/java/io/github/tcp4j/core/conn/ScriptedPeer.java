package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.transport.SimNode;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.SeqNum;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One tcp4j host (the stack under test, 10.0.0.1) and a peer (10.0.0.2) whose every segment a
 * test makes by hand, in virtual time, for the mechanism tests of the data-transfer engine: the
 * stack opens a connection to the peer, which answers with the options the test chooses; then
 * the test sends data and ACKs from the peer, lets time pass, and reads what the stack sent with
 * the exact time it arrived. Everything the stack sends is decoded (options, SACK blocks,
 * payload) and copied, so nothing is held; closing the fixture aborts the connection and closes
 * the network.
 *
 * <p>Sequence numbers in the helpers are relative: stack offset 0 is the first data byte the
 * stack sends (ISS + 1), peer offset 0 the first data byte the peer sends.
 */
final class ScriptedPeer implements AutoCloseable {

    static final IpAddress STACK = IpAddress.parse("10.0.0.1");
    static final IpAddress PEER = IpAddress.parse("10.0.0.2");
    static final int STACK_PORT = 40000;
    static final int PEER_PORT = 80;
    /** The peer's ISS. */
    static final int PEER_ISS = 1_000_000;
    /** The peer's timestamp clock runs this far ahead of the virtual millisecond count. */
    static final int PEER_TS_OFFSET = 5_000_000;

    /** One segment the stack sent, as the peer received it. */
    record Seg(long at, int flags, int seq, int ack, int window, byte[] payload, boolean hasTimestamps, int tsVal,
            int tsEcr, int[] sack, int mss, int windowScale, boolean sackPermitted, int urgentPointer) {

        boolean has(int f) {
            return (flags & f) == f;
        }

        int len() {
            return payload.length;
        }

        /** An ACK without data, SYN, FIN or RST. */
        boolean isPureAck() {
            return payload.length == 0 && (flags & ~TcpFlags.PSH) == TcpFlags.ACK;
        }

        int sackBlocks() {
            return sack.length / 2;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format("%9.3f ms [%s] seq=%s ack=%s win=%d len=%d", at / 1e6,
                    TcpFlags.toString(flags), SeqNum.toUnsigned(seq), SeqNum.toUnsigned(ack), window, payload.length));
            if (hasTimestamps) {
                sb.append(" TS ").append(SeqNum.toUnsigned(tsVal)).append('/').append(SeqNum.toUnsigned(tsEcr));
            }
            for (int i = 0; i < sack.length; i += 2) {
                sb.append(i == 0 ? " sack " : ",").append(SeqNum.toUnsigned(sack[i])).append(':')
                        .append(SeqNum.toUnsigned(sack[i + 1]));
            }
            return sb.toString();
        }
    }

    /** The options the peer answers the stack's SYN with. */
    record PeerSyn(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int window) {

        static PeerSyn plain() {
            return new PeerSyn(1460, -1, false, false, 65535);
        }

        static PeerSyn full() {
            return new PeerSyn(1460, 7, true, true, 65535);
        }

        PeerSyn withWindowScale(int shift) {
            return new PeerSyn(mss, shift, sackPermitted, timestamps, window);
        }

        PeerSyn withTimestamps(boolean on) {
            return new PeerSyn(mss, windowScale, sackPermitted, on, window);
        }

        PeerSyn withWindow(int field) {
            return new PeerSyn(mss, windowScale, sackPermitted, timestamps, field);
        }

        PeerSyn withMss(int bytes) {
            return new PeerSyn(bytes, windowScale, sackPermitted, timestamps, window);
        }
    }

    final SimNetwork net;
    final TcpHost host;
    final TcpConfig config;
    private final Node node = new Node();
    /** Every segment the stack sent, in arrival order. */
    final List<Seg> log = new ArrayList<>();
    private final ArrayDeque<Seg> inbox = new ArrayDeque<>();
    TcpConnection connection;
    /** The stack's ISS, known once its SYN arrived. */
    int iss;
    /** What the peer's ACKs carry: RCV.NXT of the peer. */
    int peerAck;
    /** The window field the peer's segments carry unless a test says otherwise. */
    int peerWindow = 65535;
    boolean peerTimestamps;
    /** The latest TSval the stack sent: what the peer echoes. */
    int tsRecent;
    /** What the application read from the connection so far. */
    final ByteBuf received = Unpooled.buffer();

    ScriptedPeer(TcpConfig config) {
        this(config, Duration.ofMillis(50));
    }

    /** {@code oneWay}: the link's latency in each direction (the RTT is twice it). */
    ScriptedPeer(TcpConfig config, Duration oneWay) {
        this.config = config;
        net = new SimNetwork(7);
        SimHost stackHost = net.addHost("stack", STACK);
        SimHost peerHost = net.addHost("peer", PEER);
        net.link(stackHost, peerHost, LinkConfig.builder().latency(oneWay).build());
        host = TcpHost.attach(net, stackHost, config, 3);
        peerHost.attach(node);
    }

    /**
     * The stack opens a connection to the peer; the peer answers its SYN with {@code syn}'s
     * options, at once, and takes the stack's ACK. Returns the established connection.
     */
    TcpConnection open(PeerSyn syn) {
        connection = host.connect(null, STACK_PORT, PEER, PEER_PORT, null);
        Seg first = next();
        if (!first.has(TcpFlags.SYN)) {
            throw new AssertionError("expected the stack's SYN, got " + first);
        }
        iss = first.seq();
        peerTimestamps = syn.timestamps() && first.hasTimestamps();
        tsRecent = first.tsVal();
        peerAck = iss + 1;
        peerWindow = syn.window();
        TcpSegment synAck = new TcpSegment().flags(TcpFlags.SYN | TcpFlags.ACK).seq(PEER_ISS).ack(iss + 1)
                .window(syn.window()).mss(syn.mss());
        if (syn.windowScale() >= 0) {
            synAck.windowScale(syn.windowScale());
        }
        if (syn.sackPermitted()) {
            synAck.sackPermitted(true);
        }
        if (syn.timestamps()) {
            synAck.timestamps(peerTsVal(), first.tsVal());
        }
        send(synAck);
        Seg ack = next();
        if (!ack.isPureAck() || connection.state() != TcpState.ESTABLISHED) {
            throw new AssertionError("expected the handshake's ACK, got " + ack + " in " + connection.state());
        }
        return connection;
    }

    // ------------------------------------------------------------------ sequence numbers

    /** The stack's sequence number of its data byte at {@code offset}. */
    int stackSeq(long offset) {
        return iss + 1 + (int) offset;
    }

    /** The offset of the stack's sequence number {@code seq} in its data. */
    long stackOffset(int seq) {
        return seq - (iss + 1);
    }

    /** The peer's sequence number of its data byte at {@code offset}. */
    static int peerSeq(long offset) {
        return PEER_ISS + 1 + (int) offset;
    }

    /** The peer's TSval now: its millisecond clock. */
    int peerTsVal() {
        return (int) (net.now() / 1_000_000L) + PEER_TS_OFFSET;
    }

    // ------------------------------------------------------------------ what the peer sends

    /** An ACK of the stack's data up to {@code offset}, from the peer's next sequence number {@code peerOffset}. */
    TcpSegment ackOf(long offset, long peerOffset) {
        peerAck = stackSeq(offset);
        return stamp(new TcpSegment().flags(TcpFlags.ACK).seq(peerSeq(peerOffset)).ack(peerAck).window(peerWindow));
    }

    /** An ACK of the stack's data up to {@code offset} (the peer sent no data). */
    TcpSegment ackOf(long offset) {
        return ackOf(offset, 0);
    }

    /** {@code length} bytes of data from the peer at its offset {@code peerOffset} (byte i is (offset + i) mod 251), with the current ACK. */
    TcpSegment data(long peerOffset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ((peerOffset + i) % 251);
        }
        return stamp(new TcpSegment().flags(TcpFlags.ACK | TcpFlags.PSH).seq(peerSeq(peerOffset)).ack(peerAck)
                .window(peerWindow).payload(Unpooled.wrappedBuffer(bytes)));
    }

    /** Adds the peer's timestamps option (TSval now, TSecr the stack's latest) when timestamps are in use. */
    TcpSegment stamp(TcpSegment s) {
        if (peerTimestamps) {
            s.timestamps(peerTsVal(), tsRecent);
        }
        return s;
    }

    /** Sends {@code s} from the peer (ports filled in) and releases it. */
    void send(TcpSegment s) {
        s.sourcePort(PEER_PORT).destinationPort(STACK_PORT);
        try {
            ByteBuf bytes = TcpCodec.encode(s, PEER, STACK, ByteBufAllocator.DEFAULT);
            net.host(PEER).transport().send(PEER, STACK, bytes);
        } finally {
            s.release();
        }
    }

    // ------------------------------------------------------------------ what the stack sent

    /** The next segment from the stack (waiting up to 10 virtual minutes for it). */
    Seg next() {
        Seg s = nextWithin(Duration.ofMinutes(10));
        if (s == null) {
            throw new AssertionError("the stack sent nothing for 10 minutes; log:\n" + dump());
        }
        return s;
    }

    /** The next {@code n} segments from the stack. */
    List<Seg> next(int n) {
        List<Seg> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    /** The next segment from the stack if one arrives within {@code d}, else null (time then stands at the end of d). */
    Seg nextWithin(Duration d) {
        if (inbox.isEmpty()) {
            net.runUntil(() -> !inbox.isEmpty(), d);
        }
        return inbox.poll();
    }

    /** Lets {@code d} pass and returns every segment that arrived meanwhile (and any not yet taken). */
    List<Seg> during(Duration d) {
        net.advance(d);
        return drain();
    }

    /** The segments that arrived and were not yet taken. */
    List<Seg> drain() {
        List<Seg> out = new ArrayList<>(inbox);
        inbox.clear();
        return out;
    }

    /** Lets {@code d} pass. */
    void advance(Duration d) {
        net.advance(d);
    }

    /** The application queues {@code length} bytes (byte i is i mod 256 of the stream from {@code offset}); returns how many were taken. */
    int write(long offset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (offset + i);
        }
        return connection.send(Unpooled.wrappedBuffer(bytes));
    }

    /** The application reads all it can into {@link #received}; returns how many bytes (or -1 at the end). */
    int read() {
        received.ensureWritable(1 << 20);
        return connection.receive(received);
    }

    String dump() {
        StringBuilder sb = new StringBuilder();
        log.forEach(s -> sb.append("  ").append(s).append('\n'));
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.abort();
            }
        } finally {
            received.release();
            net.close();
        }
    }

    /** The peer's end of the wire: decodes and keeps what the stack sends. */
    private final class Node implements SimNode {
        @Override
        public void receive(IpAddress source, IpAddress destination, ByteBuf bytes) {
            TcpSegment s;
            try {
                s = TcpCodec.decode(bytes, source, destination);
            } catch (MalformedPacketException e) {
                throw new AssertionError("the stack sent a malformed segment: " + e.getMessage(), e);
            } finally {
                bytes.release();
            }
            try {
                byte[] payload = new byte[s.payloadLength()];
                s.payload().getBytes(s.payload().readerIndex(), payload);
                int[] sack = new int[2 * s.sackBlockCount()];
                for (int i = 0; i < s.sackBlockCount(); i++) {
                    sack[2 * i] = s.sackLeft(i);
                    sack[2 * i + 1] = s.sackRight(i);
                }
                Seg seg = new Seg(net.now(), s.flags(), s.seq(), s.ack(), s.window(), payload, s.hasTimestamps(), s.tsVal(),
                        s.tsEcr(), sack, s.mss(), s.windowScale(), s.sackPermitted(), s.urgentPointer());
                if (s.hasTimestamps() && !s.has(TcpFlags.RST)) {
                    tsRecent = s.tsVal();
                }
                log.add(seg);
                inbox.add(seg);
            } finally {
                s.release();
            }
        }
    }

    /** Sequence-number offsets of {@code s}'s SACK blocks, relative to the stack's data (left, right, ...). */
    long[] sackOffsets(Seg s) {
        long[] out = new long[s.sack().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sack()[i] - (PEER_ISS + 1);
        }
        return out;
    }
}
