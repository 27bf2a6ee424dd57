package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.SeqNum;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A ladder diagram of one conversation between two hosts of a {@link SimNetwork}, like the
 * diagrams of TCP textbooks: time runs down the page, each host has a column holding its states,
 * and every segment is an arrow from its sender to its receiver, marked {@code X} where the
 * network dropped it (the network's drop tap says so; a segment still travelling at the end is
 * drawn as sent).
 *
 * <pre>
 *   time (s)  client 10.0.0.1                                             server 10.0.0.2
 *   0.000000  SYN_SENT
 *   0.000000                -------------- SYN seq=100 --------------X
 *   1.000000                -------------- SYN seq=100 -------------->
 *   1.010000                                                            SYN_RECEIVED
 *   1.010000                <------ SYN,ACK seq=7000 ack=101 ---------
 * </pre>
 *
 * <p>Attach it with {@link #attach(SimNetwork)} before the run, feed it the hosts' transitions
 * through {@link #onTransition} (it is a {@code TransitionListener} by method reference), and
 * {@link #render()} after the run, when it knows which segments arrived.
 */
public final class LadderDiagram {

    private static final int COLUMN = 14;
    private static final int ARROW = 44;

    private final String leftName;
    private final IpAddress left;
    private final String rightName;
    private final IpAddress right;
    private final List<Sent> sent = new ArrayList<>();
    private final List<Line> states = new ArrayList<>();
    private SimNetwork network;
    private long sequence;
    private boolean relative;
    /** ISN of each direction seen so far ("address:port>address:port"), for relative sequence numbers. */
    private final java.util.Map<String, Integer> isns = new java.util.HashMap<>();

    private static final int IN_FLIGHT = 0;
    private static final int DELIVERED = 1;
    private static final int LOST = 2;

    private record Sent(long time, long order, boolean fromLeft, String summary, String bytes, int[] fate) {
    }

    private record Line(long time, long order, boolean left, String text) {
    }

    /** A diagram of the traffic between {@code left} (drawn on the left) and {@code right}. */
    public LadderDiagram(String leftName, IpAddress left, String rightName, IpAddress right) {
        this.leftName = Objects.requireNonNull(leftName);
        this.left = Objects.requireNonNull(left);
        this.rightName = Objects.requireNonNull(rightName);
        this.right = Objects.requireNonNull(right);
    }

    /**
     * Prints sequence and acknowledgment numbers relative to each direction's initial sequence
     * number, as Wireshark does by default and textbooks draw them (SYN seq=0, SYN,ACK seq=0
     * ack=1). Numbers of a direction whose SYN was not seen stay absolute.
     */
    public LadderDiagram relativeSequenceNumbers() {
        this.relative = true;
        return this;
    }

    /** Starts recording the segments between the two hosts on {@code net} (send and delivery taps). */
    public LadderDiagram attach(SimNetwork net) {
        this.network = net;
        net.addTap(this::onSend);
        net.addDeliveryTap(this::onDelivery);
        net.addDropTap(this::onDrop);
        return this;
    }

    /** Records a state change of either host (matched to its column by the connection's local address). */
    public void onTransition(TransitionRecord t) {
        if (t.from() == t.to()) {
            return;
        }
        boolean isLeft = t.connection().startsWith(left.toString() + ":");
        states.add(new Line(t.timeNanos(), sequence++, isLeft, t.to().name()));
    }

    private void onSend(IpAddress source, IpAddress destination, ByteBuf segment) {
        boolean fromLeft = source.equals(left) && destination.equals(right);
        if (!fromLeft && !(source.equals(right) && destination.equals(left))) {
            return;
        }
        sent.add(new Sent(network.now(), sequence++, fromLeft, summary(source, destination, segment), ByteBufUtil.hexDump(segment),
                new int[1]));
    }

    private void onDelivery(IpAddress source, IpAddress destination, ByteBuf segment) {
        mark(segment, DELIVERED);
    }

    private void onDrop(IpAddress source, IpAddress destination, ByteBuf segment, DropTap.Cause cause) {
        if (cause != DropTap.Cause.NETWORK_CLOSED) {
            mark(segment, LOST);
        }
    }

    /**
     * Records the fate of the latest recorded send with these bytes whose fate is still open. Drops
     * on the way out happen right after the send, so they always find their own segment; identical
     * retransmissions are otherwise told apart by recency.
     */
    private void mark(ByteBuf segment, int fate) {
        String bytes = ByteBufUtil.hexDump(segment);
        for (int i = sent.size() - 1; i >= 0; i--) {
            Sent s = sent.get(i);
            if (s.fate()[0] == IN_FLIGHT && s.bytes().equals(bytes)) {
                s.fate()[0] = fate;
                return;
            }
        }
    }

    /** Flags, SEQ, ACK and length: what a ladder shows (ports and options are left out). */
    private String summary(IpAddress source, IpAddress destination, ByteBuf segment) {
        try {
            TcpSegment seg = TcpCodec.decodeUnverified(segment);
            String forward = source + ":" + seg.sourcePort() + ">" + destination + ":" + seg.destinationPort();
            String backward = destination + ":" + seg.destinationPort() + ">" + source + ":" + seg.sourcePort();
            if (seg.has(TcpFlags.SYN)) {
                isns.put(forward, seg.seq());
            }
            // A RST with SEQ 0 (the answer to a SYN for a closed port) has no place in the sequence space.
            Integer ownIsn = relative && !(seg.has(TcpFlags.RST) && seg.seq() == 0) ? isns.get(forward) : null;
            Integer peerIsn = relative ? isns.get(backward) : null;
            StringBuilder sb = new StringBuilder(TcpFlags.toString(seg.flags())).append(" seq=")
                    .append(SeqNum.toUnsigned(ownIsn == null ? seg.seq() : seg.seq() - ownIsn));
            if (seg.has(TcpFlags.ACK)) {
                sb.append(" ack=").append(SeqNum.toUnsigned(peerIsn == null ? seg.ack() : seg.ack() - peerIsn));
            }
            if (seg.payloadLength() > 0) {
                sb.append(" len=").append(seg.payloadLength());
            }
            seg.release();
            return sb.toString();
        } catch (MalformedPacketException e) {
            return "malformed (" + e.reason() + ")";
        }
    }

    /** The diagram as text, one line per state change and per segment, in time order. */
    public String render() {
        List<Object[]> lines = new ArrayList<>();
        for (Line l : states) {
            lines.add(new Object[] {l.time(), l.order(), l});
        }
        for (Sent s : sent) {
            lines.add(new Object[] {s.time(), s.order(), s});
        }
        lines.sort(Comparator.comparingLong((Object[] o) -> (Long) o[0]).thenComparingLong(o -> (Long) o[1]));
        StringBuilder out = new StringBuilder();
        String rightLabel = rightName + " " + right;
        // The right label ends where the longest state name ("SYN_RECEIVED") ends: 80 columns in all.
        int rightStart = Math.max(leftName.length() + left.toString().length() + 2, COLUMN + ARROW + 12 - rightLabel.length());
        out.append(String.format("%8s  %-" + rightStart + "s%s%n", "time (s)", leftName + " " + left, rightLabel));
        for (Object[] o : lines) {
            out.append(String.format(java.util.Locale.ROOT, "%8.3f  ", (Long) o[0] / 1e9));
            if (o[2] instanceof Line l) {
                out.append(l.left() ? l.text() : " ".repeat(COLUMN + ARROW) + l.text());
            } else {
                Sent s = (Sent) o[2];
                out.append(" ".repeat(COLUMN)).append(arrow(s));
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String arrow(Sent s) {
        String label = " " + s.summary() + " ";
        boolean lost = s.fate()[0] == LOST;
        int dashes = Math.max(2, ARROW - label.length() - 2);
        String shaft = "-".repeat(dashes / 2);
        String rest = "-".repeat(dashes - dashes / 2);
        if (s.fromLeft()) {
            return shaft + label + rest + (lost ? "X" : ">");
        }
        return (lost ? "X" : "<") + shaft + label + rest;
    }

    /** The segments the network dropped, as their summaries. */
    public List<String> lost() {
        return sent.stream().filter(s -> s.fate()[0] == LOST).map(Sent::summary).toList();
    }

    /** Number of segments recorded. */
    public int segments() {
        return sent.size();
    }
}
