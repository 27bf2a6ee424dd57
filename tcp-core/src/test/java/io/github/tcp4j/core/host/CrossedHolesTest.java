package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.host.FaultScenario.Side;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Both ends send a full window and lose segments in both directions: the smallest reproductions
 * of an ACK ping-pong the fault properties found (each end's ACKs sat exactly at the other's right
 * window edge and were rejected, each rejection answered by another ACK). Fixed by accepting a
 * zero-length segment at the right edge (as Linux does) and rate-limiting ACKs for unacceptable
 * segments.
 */
class CrossedHolesTest {


    /**
     * Both ends send a full window of the other's receive buffer, and the first segment of each
     * direction is lost. Each receiver then holds data out of order, so its window does not
     * reopen, and each end's SND.NXT sits exactly at the other's right window edge. A pure ACK
     * carries SEQ = SND.NXT = RCV.NXT + RCV.WND, which the acceptability test rejects (RFC 9293's
     * zero-length case wants SEQ < RCV.NXT + RCV.WND), so each ACK is answered by an ACK that the
     * other end rejects in turn: an endless ACK ping-pong at the round-trip rate.
     */
    @Test
    void aHoleInBothDirectionsWithFullWindowsDoesNotStartAnAckStorm() {
        crossedHoles(1, (h, client, server, total) -> {
            h.run(Duration.ofMillis(50)); // the out-of-order data arrived and was acknowledged
            long before = h.a.stats().segmentsSent() + h.b.stats().segmentsSent();
            h.run(Duration.ofMillis(140)); // still before the first retransmission (RTO >= 200 ms)
            long sent = h.a.stats().segmentsSent() + h.b.stats().segmentsSent() - before;
            assertTrue(sent <= 2, "segments sent in 140 ms with nothing new to send or retransmit: " + sent
                    + "\n" + String.join("\n", h.wire().subList(Math.max(0, h.wire().size() - 8), h.wire().size())));
        });
    }

    /**
     * Not a bug (passes): two holes per direction, and readers that read whatever arrives. Their
     * window updates move each right edge past the other end's SND.NXT, which ends the ping-pong
     * above, and both transfers complete. Kept next to the reproductions as the case that works.
     */
    @Test
    void twoHolesInBothDirectionsWithFullWindowsRecover() {
        crossedHoles(2, (h, client, server, total) -> {
            long[] read = new long[2];
            boolean done = h.net.runUntil(() -> {
                read[0] += readChecked(client, Side.SERVER, read[0]);
                read[1] += readChecked(server, Side.CLIENT, read[1]);
                return read[0] == total && read[1] == total && client.sendQueued() == 0 && server.sendQueued() == 0;
            }, Duration.ofSeconds(60));
            assertTrue(done, "within 60 s: read " + read[0] + " and " + read[1] + " of " + total + " bytes each; still queued "
                    + client.sendQueued() + " and " + server.sendQueued() + "; segments sent "
                    + (h.a.stats().segmentsSent() + h.b.stats().segmentsSent()));
        });
    }

    /**
     * What ConnectionFaultProperties found (with random seeds), reduced: no random faults at all,
     * both ends write 30,000 bytes at once through a 1 Mbit/s link with a 6-packet queue, and read
     * everything as it arrives. Queue drops leave holes in both directions while each end has a
     * full window in flight; the ends then ping-pong rejected ACKs (thousands of segments per
     * virtual second) and neither learns that its retransmissions arrived, so no byte moves: the
     * run hits the event limit after about 10 virtual seconds (with random faults the property also
     * saw both ends give up with TIMED_OUT after their retransmissions ran out).
     */
    @Test
    void bidirectionalBulkTransferThroughANarrowQueueCompletes() {
        FaultScenario.run(new FaultScenario.Network(1L, 0, 0, 0, 0, 100, 0, 2, 1_000_000L, 6),
                new FaultScenario.Buffers(16384, 16384),
                java.util.List.of(new FaultScenario.Write(Side.CLIENT, 30_000), new FaultScenario.Write(Side.SERVER, 30_000)));
    }

    /**
     * RFC 9293 3.10.7.4: with a zero receive window "special allowance should be made to accept
     * valid ACKs, URGs, and RSTs", and 3.5.3 (SHLD-2) lets a RST carry data. A RST with a few bytes
     * of data exactly at RCV.NXT, while the receive buffer is full, must reset the connection.
     */
    @Test
    void aRstWithDataAtRcvNxtResetsEvenWithAZeroWindow() {
        TcpConfig config = TcpConfig.builder().receiveBufferSize(2000).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            TcpConnection server = listener.accept();
            assertNotNull(server);
            try {
                write(client, Side.CLIENT, 0, 2000);
                h.run(Duration.ofMillis(100));
                assertEquals(0, server.rcvWnd(), "the server's receive buffer is full");
                io.github.tcp4j.core.wire.TcpSegment rst = new io.github.tcp4j.core.wire.TcpSegment().sourcePort(40000)
                        .destinationPort(80).seq(server.rcvNxt()).ack(server.sndNxt())
                        .flags(io.github.tcp4j.core.wire.TcpFlags.RST | io.github.tcp4j.core.wire.TcpFlags.ACK)
                        .payload(Unpooled.copiedBuffer(new byte[] {'b', 'y', 'e'}));
                ByteBuf bytes = io.github.tcp4j.core.wire.TcpCodec.encode(rst, TwoHosts.A, TwoHosts.B,
                        io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                rst.release();
                h.b.receive(TwoHosts.A, TwoHosts.B, bytes);
                assertEquals(io.github.tcp4j.core.fsm.TcpState.CLOSED, server.state(), "reset by the RST");
                assertEquals(io.github.tcp4j.core.conn.TcpError.RESET, server.failure());
            } finally {
                client.abort();
                server.abort();
                listener.close();
            }
        }
    }

    /**
     * The server's end is gone (aborted, its RST lost) while the client's is still ESTABLISHED; then
     * a forged SYN with the client's 4-tuple (no sequence number to guess) makes the listener open a
     * new half-open connection with an unrelated IRS. Its SYN,ACK is out of the client's window, the
     * client's ACK is out of the new connection's window, and each answers the other's unacceptable
     * segment with an ACK (RFC 9293 3.10.7.4), with no rate limit (Linux limits these to one per
     * 500 ms, tcp_invalid_ratelimit; RFC 5961 section 7 limits challenge ACKs): an ACK ping-pong at
     * the round-trip rate, and each SYN,ACK retransmission starts one more, until the half-open
     * connection's retries run out: over 32,000 segments in 63 s from one forged SYN (20 ms RTT).
     * The injection property found it in FIN-WAIT-2 / LAST-ACK with a forged RST before the SYN.
     */
    @Test
    void aStaleEndAndAForgedHalfOpenConnectionDoNotPingPongAcks() {
        try (TwoHosts h = new TwoHosts()) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            TcpConnection server = listener.accept();
            assertNotNull(server);
            try {
                h.link.partition();
                server.abort(); // its RST is lost: the client's end stays ESTABLISHED
                h.link.heal();
                io.github.tcp4j.core.wire.TcpSegment syn = new io.github.tcp4j.core.wire.TcpSegment().sourcePort(40000)
                        .destinationPort(80).seq(client.sndNxt() + 0x40000000).flags(io.github.tcp4j.core.wire.TcpFlags.SYN)
                        .window(65535);
                ByteBuf bytes = io.github.tcp4j.core.wire.TcpCodec.encode(syn, TwoHosts.A, TwoHosts.B,
                        io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                syn.release();
                long before = h.a.stats().segmentsSent() + h.b.stats().segmentsSent();
                h.b.receive(TwoHosts.A, TwoHosts.B, bytes);
                h.run(Duration.ofSeconds(1));
                long sent = h.a.stats().segmentsSent() + h.b.stats().segmentsSent() - before;
                assertTrue(sent < 20, "segments sent within 1 s of one forged SYN: " + sent + "\n"
                        + String.join("\n", h.wire().subList(Math.max(0, h.wire().size() - 6), h.wire().size())));
            } finally {
                client.abort();
                server.abort();
                listener.close();
            }
        }
    }

    interface CrossedHoles {
        void check(TwoHosts h, TcpConnection client, TcpConnection server, int total);
    }

    /**
     * Each end sends its peer's whole receive buffer (4000 bytes, or 5448 for two holes) in MSS-sized
     * segments; the first (and third) segment of each direction is lost, the others arrive.
     */
    private static void crossedHoles(int holes, CrossedHoles check) {
        int total = holes == 1 ? 4000 : 5448;
        TcpConfig config = TcpConfig.builder().receiveBufferSize(total).build();
        try (TwoHosts h = new TwoHosts(config)) {
            TcpListener listener = h.b.listen(null, 80, 16, false);
            if (Boolean.getBoolean("trace")) {
                h.net.addTap((src, dst, bytes) -> {
                    try {
                        io.github.tcp4j.core.wire.TcpSegment seg = io.github.tcp4j.core.wire.TcpCodec.decodeUnverified(bytes.duplicate());
                        System.out.printf("TRACE %10.3f %s%n", h.net.now() / 1e6, seg);
                        seg.release();
                    } catch (io.github.tcp4j.core.wire.MalformedPacketException e) {
                        throw new AssertionError(e);
                    }
                });
            }
            TcpConnection client = h.a.connect(null, 40000, TwoHosts.B, 80, ConnectionHandler.NONE);
            h.run(Duration.ofMillis(100));
            TcpConnection server = listener.accept();
            assertNotNull(server);
            try {
                int offset = 0;
                for (int segment = 0; offset < total; segment++) {
                    int n = Math.min(1448, total - offset);
                    boolean lost = segment == 0 || holes == 2 && segment == 2;
                    if (lost) {
                        h.link.partition();
                    }
                    write(client, Side.CLIENT, offset, n);
                    write(server, Side.SERVER, offset, n);
                    h.link.heal();
                    offset += n;
                }
                check.check(h, client, server, total);
            } finally {
                client.abort();
                server.abort();
                listener.close();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static void write(TcpConnection c, Side side, long offset, int n) {
        ByteBuf data = Unpooled.buffer(n);
        try {
            for (int i = 0; i < n; i++) {
                data.writeByte(FaultScenario.pattern(side, offset + i));
            }
            assertEquals(n, c.send(data), "the send buffer takes it all");
        } finally {
            data.release();
        }
    }

    /** Reads what is available, checking it against {@code from}'s pattern from {@code offset}; returns the count. */
    static int readChecked(TcpConnection c, Side from, long offset) {
        ByteBuf buf = Unpooled.buffer(64 * 1024);
        try {
            int n = c.receive(buf);
            for (int i = 0; i < n; i++) {
                assertEquals(FaultScenario.pattern(from, offset + i), buf.getByte(i), "byte at offset " + (offset + i));
            }
            return Math.max(n, 0);
        } finally {
            buf.release();
        }
    }
}
