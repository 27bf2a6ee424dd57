package io.github.tcp4j.core.host;

import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.SeqNum;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Every segment sent on a {@link SimNetwork}, decoded with its header fields and send time (a
 * capture on the senders' interfaces): for assertions on flags, SEQ and ACK.
 */
final class WireLog {

    /** One segment as sent. {@code flags} without PSH. */
    record Seg(long timeNanos, IpAddress source, IpAddress destination, int sourcePort, int destinationPort, int flags,
            int seq, int ack, int len, boolean hasTimestamps, int tsVal) {

        /** Exactly these control bits (PSH ignored). */
        boolean is(int f) {
            return flags == f;
        }

        boolean from(IpAddress a) {
            return source.equals(a);
        }

        /** The sequence number after this segment: SEQ + SEG.LEN. */
        int end() {
            return seq + len + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        }

        @Override
        public String toString() {
            return String.format("%.6f %s:%d>%s:%d [%s] seq=%d%s len=%d", timeNanos / 1e9, source, sourcePort, destination,
                    destinationPort, TcpFlags.toString(flags), SeqNum.toUnsigned(seq),
                    (flags & TcpFlags.ACK) != 0 ? " ack=" + SeqNum.toUnsigned(ack) : "", len);
        }
    }

    private final SimNetwork net;
    private final List<Seg> segments = new ArrayList<>();

    private WireLog(SimNetwork net) {
        this.net = net;
    }

    static WireLog attach(SimNetwork net) {
        WireLog log = new WireLog(net);
        net.addTap(log::tap);
        return log;
    }

    private void tap(IpAddress source, IpAddress destination, ByteBuf bytes) {
        TcpSegment s;
        try {
            s = TcpCodec.decodeUnverified(bytes.duplicate());
        } catch (MalformedPacketException e) {
            throw new AssertionError("malformed segment on the wire", e);
        }
        try {
            segments.add(new Seg(net.now(), source, destination, s.sourcePort(), s.destinationPort(),
                    s.flags() & ~TcpFlags.PSH, s.seq(), s.ack(), s.payloadLength(), s.hasTimestamps(),
                    s.hasTimestamps() ? s.tsVal() : 0));
        } finally {
            s.release();
        }
    }

    /** Everything so far. */
    List<Seg> all() {
        return List.copyOf(segments);
    }

    /** How many segments were sent so far (a mark for {@link #since}). */
    int mark() {
        return segments.size();
    }

    /** The segments sent after {@code mark}. */
    List<Seg> since(int mark) {
        return List.copyOf(segments.subList(mark, segments.size()));
    }

    /** The segments {@code source} sent. */
    List<Seg> from(IpAddress source) {
        return segments.stream().filter(s -> s.from(source)).collect(Collectors.toList());
    }

    /** The segments matching {@code p}. */
    List<Seg> matching(Predicate<Seg> p) {
        return segments.stream().filter(p).collect(Collectors.toList());
    }

    /** The last segment {@code source} sent. */
    Seg lastFrom(IpAddress source) {
        List<Seg> l = from(source);
        if (l.isEmpty()) {
            throw new AssertionError("nothing from " + source + " on the wire: " + this);
        }
        return l.get(l.size() - 1);
    }

    /** The first segment {@code source} sent with exactly {@code flags}. */
    Seg first(IpAddress source, int flags) {
        return segments.stream().filter(s -> s.from(source) && s.is(flags)).findFirst()
                .orElseThrow(() -> new AssertionError("no [" + TcpFlags.toString(flags) + "] from " + source + ": " + this));
    }

    @Override
    public String toString() {
        return segments.stream().map(Seg::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
    }
}
