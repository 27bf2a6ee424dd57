package io.github.tcp4j.core.host;

import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.SeqNum;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Records every segment sent on a {@link SimNetwork} with the header fields scenario tests check
 * (flags, SEQ, ACK, length, payload text), copied out of the buffer so nothing is held.
 */
final class WireRecorder {

    /** One segment as sent: who sent it, its ports, flags, SEQ, ACK, payload length and text. */
    record Seg(long timeNanos, String from, int srcPort, int dstPort, int flags, int seq, int ack, int len, String text) {

        /** True if the control bits, PSH aside, are exactly {@code f}. */
        boolean flagsAre(int f) {
            return (flags & ~TcpFlags.PSH) == f;
        }

        boolean has(int f) {
            return (flags & f) == f;
        }

        /** SEG.LEN: payload plus one for SYN and one for FIN (RFC 9293 3.4). */
        int segLen() {
            return len + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        }

        /** "a>b 40000>80 [SYN,ACK] seq=.. ack=.. len=..", flags without PSH. */
        @Override
        public String toString() {
            return from + " " + srcPort + ">" + dstPort + " [" + TcpFlags.toString(flags & ~TcpFlags.PSH) + "] seq="
                    + SeqNum.toUnsigned(seq) + ((flags & TcpFlags.ACK) != 0 ? " ack=" + SeqNum.toUnsigned(ack) : "")
                    + " len=" + len;
        }
    }

    private final SimNetwork net;
    private final Map<IpAddress, String> names;
    private final List<Seg> segs = new ArrayList<>();

    private WireRecorder(SimNetwork net, Map<IpAddress, String> names) {
        this.net = net;
        this.names = Map.copyOf(names);
    }

    /** A recorder on {@code net}; {@code names} gives each address a short name ("a", "b", "peer"). */
    static WireRecorder on(SimNetwork net, Map<IpAddress, String> names) {
        WireRecorder w = new WireRecorder(net, names);
        net.addTap(w::tap);
        return w;
    }

    /** A recorder on the network of {@code h}, naming its hosts "a" and "b". */
    static WireRecorder on(TwoHosts h) {
        return on(h.net, Map.of(TwoHosts.A, "a", TwoHosts.B, "b"));
    }

    private void tap(IpAddress source, IpAddress destination, ByteBuf bytes) {
        try {
            TcpSegment s = TcpCodec.decodeUnverified(bytes.duplicate());
            try {
                segs.add(new Seg(net.now(), names.getOrDefault(source, source.toString()), s.sourcePort(), s.destinationPort(),
                        s.flags(), s.seq(), s.ack(), s.payloadLength(), s.payload().toString(StandardCharsets.UTF_8)));
            } finally {
                s.release();
            }
        } catch (MalformedPacketException e) {
            throw new AssertionError("a malformed segment was sent: " + e.getMessage(), e);
        }
    }

    /** Every segment so far. */
    List<Seg> all() {
        return List.copyOf(segs);
    }

    /** How many segments so far (a mark for {@link #since}). */
    int size() {
        return segs.size();
    }

    /** The segments sent since mark {@code from}. */
    List<Seg> since(int from) {
        return List.copyOf(segs.subList(from, segs.size()));
    }

    /** The segments {@code who} sent. */
    List<Seg> from(String who) {
        return segs.stream().filter(s -> s.from().equals(who)).collect(Collectors.toList());
    }

    /** The segments {@code who} sent since mark {@code mark}. */
    List<Seg> from(String who, int mark) {
        return since(mark).stream().filter(s -> s.from().equals(who)).collect(Collectors.toList());
    }

    /** The whole log, one segment a line, for assertion messages. */
    String dump() {
        return segs.stream().map(Seg::toString).collect(Collectors.joining("\n  ", "wire:\n  ", ""));
    }
}
