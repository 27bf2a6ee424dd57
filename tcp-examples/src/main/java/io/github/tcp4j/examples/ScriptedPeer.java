package io.github.tcp4j.examples;

import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionListener;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNode;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * One end of the first look's connection: a fixed script of the happy path (open, one message,
 * close) with a SYN retransmission timer and a TIME_WAIT timer, so that it can show the states a
 * connection passes through on a real codec over the simulated network.
 *
 * <p>This is a teaching preview, not the TCP engine: it follows one script and ignores what does
 * not fit it (printing that it did). The table-driven state machine replaces it.
 */
final class ScriptedPeer implements SimNode {

    /** Where the peer reports what it does. */
    interface Listener {
        void event(String peer, String text);
    }

    private static final long RTO_NANOS = 1_000_000_000L; // RFC 6298: initial RTO of 1 second
    private static final long MSL_NANOS = 30_000_000_000L; // a short MSL, like Linux's 60 s TIME_WAIT

    private final String name;
    private final SimHost host;
    private final int localPort;
    private final LongSupplier clock;
    private final Listener listener;
    private TransitionListener transitions = t -> { };
    private final int iss;

    private TcpState state = TcpState.CLOSED;
    private IpAddress remote;
    private int remotePort;
    private int sndNxt;
    private int rcvNxt;
    private String message;
    private long deadline = Long.MAX_VALUE;
    private long rto = RTO_NANOS;
    private final StringBuilder received = new StringBuilder();

    ScriptedPeer(String name, SimHost host, int localPort, int iss, LongSupplier clock, Listener listener) {
        this.name = name;
        this.host = host;
        this.localPort = localPort;
        this.iss = iss;
        this.clock = clock;
        this.listener = listener;
    }

    TcpState state() {
        return state;
    }

    /** Reports every state change, as the real engine will. */
    void onTransition(TransitionListener l) {
        transitions = l;
    }

    String received() {
        return received.toString();
    }

    /** Passive open (RFC 9293 3.10.1). */
    void listen() {
        transition(TcpState.LISTEN, TcpEvent.LISTEN, "passive open (listen)");
    }

    /** Active open: send SYN, then {@code message} once established, then close. */
    void connect(IpAddress remoteAddress, int port, String firstMessage) {
        remote = remoteAddress;
        remotePort = port;
        message = firstMessage;
        sndNxt = iss;
        transition(TcpState.SYN_SENT, TcpEvent.CONNECT, "active open (connect): send SYN");
        sendSyn(0);
        deadline = clock.getAsLong() + rto;
    }

    /** The application closes its end: send FIN. */
    void close() {
        switch (state) {
            case ESTABLISHED -> {
                transition(TcpState.FIN_WAIT_1, TcpEvent.CLOSE, "close(): send FIN");
                send(TcpFlags.FIN | TcpFlags.ACK, null);
            }
            case CLOSE_WAIT -> {
                transition(TcpState.LAST_ACK, TcpEvent.CLOSE, "close(): send FIN");
                send(TcpFlags.FIN | TcpFlags.ACK, null);
            }
            default -> listener.event(name, "close() in " + state + " is not part of this script");
        }
    }

    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf bytes) {
        TcpSegment seg;
        try {
            seg = TcpCodec.decode(bytes, source, destination);
        } catch (MalformedPacketException e) {
            listener.event(name, "dropped a malformed segment: " + e.getMessage());
            return;
        } finally {
            bytes.release(); // the decoded segment holds its own reference to the payload
        }
        try {
            listener.event(name, "<<< " + seg);
            handle(source, seg);
        } finally {
            seg.release();
        }
    }

    private void handle(IpAddress source, TcpSegment seg) {
        boolean ack = seg.has(TcpFlags.ACK);
        switch (state) {
            case LISTEN -> {
                if (seg.has(TcpFlags.SYN) && !ack) {
                    remote = source;
                    remotePort = seg.sourcePort();
                    rcvNxt = seg.seq() + 1;
                    sndNxt = iss;
                    transition(TcpState.SYN_RECEIVED, TcpEvent.RCV_SYN, "SYN received: send SYN,ACK");
                    sendSyn(TcpFlags.ACK);
                    return;
                }
            }
            case SYN_SENT -> {
                if (seg.has(TcpFlags.SYN | TcpFlags.ACK) && seg.ack() == sndNxt) {
                    rcvNxt = seg.seq() + 1;
                    deadline = Long.MAX_VALUE;
                    transition(TcpState.ESTABLISHED, TcpEvent.RCV_SYN_ACK, "SYN,ACK acknowledges our SYN: send ACK");
                    send(TcpFlags.ACK, null);
                    send(TcpFlags.ACK | TcpFlags.PSH, message);
                    listener.event(name, "application wrote \"" + message + "\" and closes");
                    close();
                    return;
                }
            }
            case SYN_RECEIVED -> {
                if (ack && seg.ack() == sndNxt) {
                    transition(TcpState.ESTABLISHED, TcpEvent.RCV_ACK, "ACK of our SYN: connection established");
                    receiveData(seg);
                    return;
                }
            }
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
                receiveData(seg);
                return;
            }
            case LAST_ACK -> {
                if (ack && seg.ack() == sndNxt) {
                    transition(TcpState.CLOSED, TcpEvent.RCV_ACK_OF_FIN, "ACK of our FIN: connection closed, resources released");
                    return;
                }
            }
            case TIME_WAIT -> {
                if (seg.has(TcpFlags.FIN)) {
                    listener.event(name, "retransmitted FIN in TIME_WAIT: ACK it again and restart 2MSL");
                    send(TcpFlags.ACK, null);
                    deadline = clock.getAsLong() + 2 * MSL_NANOS;
                    return;
                }
            }
            default -> {
            }
        }
        listener.event(name, "segment not part of this script in " + state + ": ignored");
    }

    private void receiveData(TcpSegment seg) {
        boolean ackOfFin = seg.has(TcpFlags.ACK) && seg.ack() == sndNxt;
        if (state == TcpState.FIN_WAIT_1 && ackOfFin && !seg.has(TcpFlags.FIN)) {
            transition(TcpState.FIN_WAIT_2, TcpEvent.RCV_ACK_OF_FIN, "ACK of our FIN: wait for the peer's FIN");
        }
        if (seg.payloadLength() > 0 && seg.seq() == rcvNxt) {
            received.append(seg.payload().toString(StandardCharsets.UTF_8));
            rcvNxt += seg.payloadLength();
            listener.event(name, "application reads \"" + seg.payload().toString(StandardCharsets.UTF_8) + "\"");
            if (!seg.has(TcpFlags.FIN)) {
                send(TcpFlags.ACK, null);
            }
        }
        if (seg.has(TcpFlags.FIN) && seg.seq() + seg.payloadLength() == rcvNxt) {
            rcvNxt += 1;
            switch (state) {
                case ESTABLISHED -> {
                    transition(TcpState.CLOSE_WAIT, TcpEvent.RCV_FIN, "FIN received: send ACK, tell the application end-of-stream");
                    send(TcpFlags.ACK, null);
                    listener.event(name, "application reads end-of-stream and closes");
                    close();
                }
                case FIN_WAIT_1 -> {
                    // The peer's FIN acknowledges ours too: straight to TIME_WAIT (or CLOSING if not).
                    transition(ackOfFin ? TcpState.TIME_WAIT : TcpState.CLOSING, ackOfFin ? TcpEvent.RCV_FIN_ACK_OF_FIN : TcpEvent.RCV_FIN,
                            "FIN received: send ACK");
                    send(TcpFlags.ACK, null);
                    armTimeWait();
                }
                case FIN_WAIT_2 -> {
                    transition(TcpState.TIME_WAIT, TcpEvent.RCV_FIN, "FIN received: send ACK, wait 2MSL");
                    send(TcpFlags.ACK, null);
                    armTimeWait();
                }
                default -> {
                }
            }
        }
    }

    private void armTimeWait() {
        deadline = clock.getAsLong() + 2 * MSL_NANOS;
        listener.event(name, "2MSL timer armed: " + (2 * MSL_NANOS / 1_000_000_000L) + " s");
    }

    @Override
    public long nextDeadline() {
        return deadline;
    }

    @Override
    public void onTime(long nowNanos) {
        deadline = Long.MAX_VALUE;
        if (state == TcpState.SYN_SENT) {
            rto *= 2; // RFC 6298 5.5: back off the timer
            listener.event(name, "retransmission timer expired: resend SYN, next RTO " + rto / 1_000_000 + " ms");
            sendSyn(0);
            deadline = nowNanos + rto;
        } else if (state == TcpState.TIME_WAIT) {
            transition(TcpState.CLOSED, TcpEvent.TIME_WAIT_EXPIRED, "2MSL timer expired: the connection's last trace is gone");
        }
    }

    private void transition(TcpState next, TcpEvent event, String why) {
        listener.event(name, state + " -> " + next + "   (" + why + ")");
        transitions.onTransition(new TransitionRecord(clock.getAsLong(),
                host.address() + ":" + localPort + " > " + remote + ":" + remotePort, state, event, next, why));
        state = next;
    }

    private void sendSyn(int extraFlags) {
        TcpSegment syn = header(TcpFlags.SYN | extraFlags).seq(iss).mss(1460).sackPermitted(true).windowScale(7)
                .timestamps((int) (clock.getAsLong() / 1_000_000), 0);
        sndNxt = iss + 1;
        transmit(syn);
    }

    private void send(int flags, String data) {
        TcpSegment seg = header(flags).seq(sndNxt);
        if (data != null) {
            seg.payload(Unpooled.copiedBuffer(data, StandardCharsets.UTF_8));
        }
        sndNxt += seg.segmentLength();
        transmit(seg);
    }

    private TcpSegment header(int flags) {
        // Both SYNs offer window scale 7 (RFC 7323): the SYN's own window is unscaled, later ones
        // are shifted, so 512 << 7 = 64 KiB.
        int window = (flags & TcpFlags.SYN) != 0 ? 65535 : 512;
        TcpSegment seg = new TcpSegment().sourcePort(localPort).destinationPort(remotePort).flags(flags).window(window);
        if ((flags & TcpFlags.ACK) != 0) {
            seg.ack(rcvNxt);
        }
        return seg;
    }

    private void transmit(TcpSegment seg) {
        listener.event(name, ">>> " + seg);
        IpAddress local = host.address();
        ByteBuf wire = TcpCodec.encode(seg, local, remote, ByteBufAllocator.DEFAULT);
        seg.release();
        host.transport().send(local, remote, wire); // the transport releases it
    }
}
