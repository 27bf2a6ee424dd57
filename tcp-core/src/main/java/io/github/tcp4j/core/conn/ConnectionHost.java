package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.timer.TimerWheel;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBufAllocator;

/**
 * What a connection needs from the host it lives on: time, the timer wheel, a way to send, ISNs,
 * the TIME-WAIT table, the demultiplexing table and the counters. The host
 * ({@code io.github.tcp4j.core.host.TcpHost}) implements it, so the connection package never
 * depends on the host package. All calls happen on the stack's one thread.
 */
public interface ConnectionHost {

    /** The stack's settings. */
    TcpConfig config();

    /** Now, from the stack's clock, in nanoseconds. */
    long now();

    /** The wheel every connection timer runs on. */
    TimerWheel wheel();

    /** Where buffers come from. */
    ByteBufAllocator allocator();

    /** The one executor of the state machine's actions. */
    ActionExecutor executor();

    /** A cleared, reusable segment to fill and hand to {@link #transmit}. */
    TcpSegment outgoing();

    /** Encodes {@code segment} with the connection's addresses and sends it; clears the segment (releasing its payload). */
    void transmit(TcpConnection connection, TcpSegment segment);

    /** Sends {@code segment} back to the sender of the segment being handled (a RST reply); clears it. */
    void transmitReply(TcpSegment segment);

    /** A fresh initial sequence number for the connection's 4-tuple (RFC 6528). */
    int newIss(TcpConnection connection);

    /** The connection's timestamp offset (RFC 7323 section 7.1: per 4-tuple, so it grows across incarnations). */
    int tsOffset(TcpConnection connection);

    /** Reports an event the table handled (a transition when {@code to != from}) to the listeners and the debug log. */
    void publish(TcpConnection connection, TcpState from, TcpEvent event, TcpState to, TcpSegment cause);

    /** True if a challenge ACK may be sent now (RFC 5961 section 7 rate limit); counts what it allows and refuses. */
    boolean allowChallengeAck();

    /** Replaces the connection by a compact TIME-WAIT record; false if the full table refused it. */
    boolean enterTimeWait(TcpConnection connection);

    /** Restarts the 2MSL of the connection's TIME-WAIT record. */
    void restartTimeWait(TcpConnection connection);

    /** Removes the connection's TIME-WAIT record, if it still exists. */
    void removeTimeWait(TcpConnection connection);

    /** True while a TIME-WAIT record exists for the connection's 4-tuple. */
    boolean holdsTimeWait(TcpConnection connection);

    /** The record was removed to let a new incarnation in (RFC 6191): handle the SYN again as a new connection. */
    void reopenFromTimeWait(TcpConnection connection, TcpSegment syn);

    /**
     * Registers a connection under its 4-tuple (a listener turning into an active open).
     *
     * @throws TcpException {@link TcpError#ADDRESS_IN_USE} if the 4-tuple is taken
     */
    void register(TcpConnection connection);

    /** The protocol is done with the connection: remove it from the demultiplexing table (and a listener from the listeners). */
    void unregister(TcpConnection connection);

    /** A segment was dropped by the table's decision. */
    void countDrop(TcpEvent event);

    /** A segment was retransmitted. */
    void countRetransmission();

    /** Counts a fast retransmit: recovery entered on duplicate ACKs or SACK (RFC 5681 3.2, RFC 6675). */
    void countFastRetransmit();

    /** Counts an expiry of a retransmission timer that resends data. */
    void countRetransmitTimeout();

    /** A connection reached R1 of RFC 9293 3.8.3: retransmitted that many times without an ACK. */
    void countR1(TcpConnection connection);

    /** An ACK for an unacceptable segment was not sent: the per-connection limit held it back. */
    void countDupAckSuppressed();

    /** A RST was sent. */
    void countRstSent();
}
