package io.github.tcp4j.core.host;

import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.FIN;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.host.FaultScenario.Side;
import io.github.tcp4j.core.timer.ManualClock;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.PeerScript;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Data crosses the 2^32 wrap of the sequence space intact. Moving 4 GiB is too slow, so the
 * initial sequence numbers are placed just below the wrap instead: the ISN generator (RFC 6528:
 * time / 4 us plus a keyed hash of the 4-tuple) is deterministic for a fixed secret, so the
 * network's clock starts at the instant that gives the wanted ISS; and a scripted peer simply
 * chooses its IRS.
 */
class SequenceWrapTest {

    private static final IpAddress A = FaultScenario.A;
    private static final IpAddress B = FaultScenario.B;
    private static final int PORT = 80;
    private static final int CLIENT_PORT = 40000;
    private static final Duration LATENCY = Duration.ofMillis(5);
    private static final int BYTES = 64 * 1024;

    /**
     * The client's (ISS + 1 + n) is 2^32: the wrap lies n bytes into its stream (n = 0: the SYN is
     * the last sequence number before it; n = 65536: the client's FIN sits right at 0).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3000, 65535, 65536})
    void theClientsStreamCrossesTheWrap(int n) {
        transferAcrossTheWrap(Side.CLIENT, n);
    }

    /** The same with the server's ISS (chosen when the SYN arrives, one link latency after the start). */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3000, 65535, 65536})
    void theServersStreamCrossesTheWrap(int n) {
        transferAcrossTheWrap(Side.SERVER, n);
    }

    private static void transferAcrossTheWrap(Side nearWrap, int n) {
        int iss = -1 - n; // ISS + 1 + n = 2^32
        long start = nearWrap == Side.CLIENT
                ? FaultScenario.clockForIss(FaultScenario.SECRET_A, A, CLIENT_PORT, B, PORT, iss)
                : FaultScenario.clockForIss(FaultScenario.SECRET_B, B, PORT, A, CLIENT_PORT, iss) - LATENCY.toNanos();
        if (start < 0) {
            start += (1L << 32) * io.github.tcp4j.core.host.IsnGenerator.NANOS_PER_TICK;
        }
        TcpConfig config = TcpConfig.defaults();
        SimNetwork net = new SimNetwork(5, new ManualClock(start));
        try {
            SimHost simA = net.addHost("a", A);
            SimHost simB = net.addHost("b", B);
            net.link(simA, simB, LinkConfig.builder().latency(LATENCY).build());
            TcpHost a = TcpHost.attach(net, simA, config, FaultScenario.SECRET_A);
            TcpHost b = TcpHost.attach(net, simB, config, FaultScenario.SECRET_B);
            TcpListener listener = b.listen(null, PORT, 4, false);
            TcpConnection client = a.connect(null, CLIENT_PORT, B, PORT, ConnectionHandler.NONE);
            TcpConnection[] server = new TcpConnection[1];
            try {
                assertTrue(net.runUntil(() -> (server[0] = listener.accept()) != null, Duration.ofSeconds(5)));
                TcpConnection near = nearWrap == Side.CLIENT ? client : server[0];
                assertEquals(Integer.toUnsignedString(iss), Integer.toUnsignedString(near.iss()), "ISS placed before the wrap");

                long[] written = new long[2];
                long[] read = new long[2];
                ByteBuf buf = Unpooled.buffer(16 * 1024);
                try {
                    boolean done = net.runUntil(() -> {
                        for (Side s : Side.values()) {
                            TcpConnection c = s == Side.CLIENT ? client : server[0];
                            written[s.ordinal()] += push(c, s, written[s.ordinal()], BYTES - written[s.ordinal()], buf);
                            Side from = s.peer();
                            read[s.ordinal()] += pull(c, from, read[s.ordinal()], buf);
                        }
                        return read[0] == BYTES && read[1] == BYTES;
                    }, Duration.ofSeconds(30));
                    assertTrue(done, "read " + read[0] + " and " + read[1] + " of " + BYTES);
                } finally {
                    buf.release();
                }
                client.shutdownOutput();
                assertTrue(net.runUntil(() -> server[0].finReceived(), Duration.ofSeconds(5)));
                server[0].shutdownOutput();
                assertTrue(net.runUntil(() -> client.finReceived() && server[0].finReceived()
                        && client.state() == TcpState.TIME_WAIT && server[0].state() == TcpState.CLOSED, Duration.ofSeconds(10)),
                        client + " / " + server[0]);
                assertEquals(iss + 1 + BYTES + 1, near.sndNxt(), "SND.NXT after the data and the FIN");
                client.close();
                server[0].close();
                net.advance(Duration.ofNanos(config.twoMslNanos()).plusSeconds(1));
                assertEquals(TcpState.CLOSED, client.state());
                assertTrue(a.connections().isEmpty() && b.connections().isEmpty());
                assertEquals(0, a.timeWaitCount() + b.timeWaitCount());
                assertEquals(0, a.stats().retransmissions() + b.stats().retransmissions(), "nothing was lost or misjudged");
            } finally {
                client.abort();
                if (server[0] != null) {
                    server[0].abort();
                }
                listener.close();
            }
        } finally {
            net.close();
        }
    }

    /** Sends up to {@code n} bytes of {@code side}'s pattern from {@code offset}; returns how many the buffer took. */
    static int push(TcpConnection c, Side side, long offset, long n, ByteBuf buf) {
        int k = (int) Math.min(Math.min(n, c.sendFree()), buf.capacity());
        if (k <= 0) {
            return 0;
        }
        buf.clear();
        for (int i = 0; i < k; i++) {
            buf.writeByte(FaultScenario.pattern(side, offset + i));
        }
        return c.send(buf);
    }

    /** Reads what is there, checked against {@code from}'s pattern from {@code offset}; returns how many. */
    static int pull(TcpConnection c, Side from, long offset, ByteBuf buf) {
        int total = 0;
        while (true) {
            buf.clear();
            int k = c.receive(buf);
            if (k <= 0) {
                return total;
            }
            for (int i = 0; i < k; i++) {
                assertEquals(FaultScenario.pattern(from, offset + total + i), buf.getByte(i),
                        "byte " + (offset + total + i) + " of the " + from.lower() + "'s stream");
            }
            total += k;
        }
    }

    /**
     * A scripted server with IRS 0xFFFFFF00 sends three segments that straddle the wrap, last one
     * first: the client keeps the later ones for reassembly, acknowledges nothing new until the
     * first arrives, then acknowledges all of them past the wrap and reads them in order; then the
     * peer's FIN at sequence 0x181 ends the stream and the client closes from CLOSE-WAIT.
     */
    @Test
    void reassemblyAndAcknowledgmentAcrossTheWrapWithAScriptedPeer() {
        SimNetwork net = new SimNetwork(9);
        try {
            SimHost simA = net.addHost("a", A);
            SimHost peerHost = net.addHost("peer", B);
            net.link(simA, peerHost, LinkConfig.builder().latency(LATENCY).build());
            TcpHost a = TcpHost.attach(net, simA, TcpConfig.defaults(), 1);
            int irs = 0xFFFFFF00;
            byte[] stream = new byte[0x280];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = FaultScenario.pattern(Side.SERVER, i);
            }
            int[] iss = new int[1];
            TcpConnection client = a.connect(null, CLIENT_PORT, B, PORT, ConnectionHandler.NONE);
            byte[] got = new byte[stream.length];
            int[] readCount = new int[1];
            PeerScript peer = PeerScript.attach(net, peerHost, PORT, A, CLIENT_PORT)
                    .expect("SYN", s -> s.has(SYN) && !s.has(ACK))
                    .send(syn -> {
                        iss[0] = syn.seq();
                        return new TcpSegment().flags(SYN | ACK).seq(irs).ack(syn.seq() + 1).window(65535);
                    })
                    .expect("ACK of the SYN,ACK", s -> s.has(ACK) && s.ack() == irs + 1)
                    // C: [0x81, 0x181), past the wrap
                    .send(last -> data(iss[0] + 1, 0x81, stream, 0x180, 0x100))
                    .expect("a duplicate ACK", s -> s.ack() == irs + 1)
                    // B: [0xFFFFFF81, 0x81), across the wrap
                    .send(last -> data(iss[0] + 1, 0xFFFFFF81, stream, 0x80, 0x100))
                    .expect("a duplicate ACK", s -> s.ack() == irs + 1)
                    // A: [0xFFFFFF01, 0xFFFFFF81), before the wrap: fills the gap
                    .send(last -> data(iss[0] + 1, 0xFFFFFF01, stream, 0, 0x80))
                    .expect("everything acknowledged, past the wrap", s -> s.ack() == 0x181)
                    .then(() -> {
                        ByteBuf buf = Unpooled.buffer(4096);
                        try {
                            readCount[0] = client.receive(buf);
                            buf.getBytes(0, got, 0, readCount[0]);
                        } finally {
                            buf.release();
                        }
                    })
                    .send(last -> new TcpSegment().flags(FIN | ACK).seq(0x181).ack(iss[0] + 1).window(65535))
                    .expect("ACK of the FIN at 0x181", s -> s.has(ACK) && s.ack() == 0x182)
                    .then(client::close)
                    .expect("our FIN", s -> s.has(FIN) && s.seq() == iss[0] + 1 && s.ack() == 0x182)
                    .send(fin -> new TcpSegment().flags(ACK).seq(0x182).ack(iss[0] + 2).window(65535))
                    .advance(Duration.ofMillis(50));
            try {
                peer.run();
            } finally {
                peer.release();
            }
            assertEquals(stream.length, readCount[0]);
            assertEquals(java.util.HexFormat.of().formatHex(stream), java.util.HexFormat.of().formatHex(got));
            assertEquals(TcpState.CLOSED, client.state(), "LAST-ACK ended by the ACK of our FIN");
            assertTrue(a.connections().isEmpty());
            assertNotNull(peer.transcript());
        } finally {
            net.close();
        }
    }

    private static TcpSegment data(int ack, int seq, byte[] stream, int from, int length) {
        return new TcpSegment().flags(ACK).seq(seq).ack(ack).window(65535)
                .payload(Unpooled.copiedBuffer(stream, from, length));
    }
}
