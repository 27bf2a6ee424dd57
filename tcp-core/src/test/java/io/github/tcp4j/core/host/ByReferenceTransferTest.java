package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.timer.ManualClock;
import io.github.tcp4j.core.transport.TrackingAllocator;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two {@link TcpHost}s on a transport that carries payloads by reference
 * ({@link SegmentTransport#carriesPayloadByReference()}): large payloads that lie in one send-buffer
 * chunk go as a header plus the chunk itself, the others as one encoded buffer; the receiving host
 * takes split segments through its split {@link TcpHost#receive(IpAddress, IpAddress, ByteBuf, ByteBuf, int, int)}.
 * One thread, virtual time, a 1 ms link each way; every buffer comes from an allocator that
 * remembers it, so the run ends by checking that all were released.
 */
class ByReferenceTransferTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");
    private static final long LATENCY = 1_000_000L;
    private static final int PIECE = 7777; // odd: send-buffer chunks start and end at odd stream offsets
    private static final int BY_REFERENCE_MIN = 4096;


    /** A segment on its way: one buffer ({@code payload} null) or a header and a payload range. */
    private record InFlight(long time, long order, TcpHost to, IpAddress source, IpAddress destination, ByteBuf header,
            ByteBuf payload, int index, int length) {
        void release() {
            header.release();
            if (payload != null) {
                payload.release();
            }
        }
    }

    /** The network: a queue of segments in flight, ordered by arrival time, and the counts of what went how. */
    private final class Network {
        final ManualClock clock = new ManualClock();
        final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
                (x, y) -> x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.order, y.order));
        long order;
        final boolean byReference;
        /** Corrupt one byte of the payload of this by-reference segment from a (1-based; 0 for none). */
        int corruptSplitNumber;
        /** Payload byte to corrupt, counted from the payload's start (-1: the last). */
        int corruptAt;
        TcpHost a;
        TcpHost b;

        // what a sent to b
        int splitSends;
        int splitOddIndex;
        int splitShared;
        int splitShort;
        long splitBytes;
        int wholeSends;
        int wholeLarge;
        long wholeBytes;
        int corrupted;
        final List<Integer> splitChecksums = new ArrayList<>();

        Network(boolean byReference) {
            this.byReference = byReference;
        }

        SegmentTransport transportOf(boolean fromA) {
            return new SegmentTransport() {
                @Override
                public void send(IpAddress source, IpAddress destination, ByteBuf segment) {
                    if (fromA) {
                        wholeSends++;
                        int payload = segment.readableBytes() - (segment.getUnsignedByte(segment.readerIndex() + 12) >>> 4) * 4;
                        wholeBytes += payload;
                        if (payload >= BY_REFERENCE_MIN) {
                            wholeLarge++;
                        }
                    }
                    enqueue(fromA ? b : a, source, destination, segment, null, 0, 0);
                }

                @Override
                public boolean carriesPayloadByReference() {
                    return byReference;
                }

                @Override
                public void send(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index,
                        int length) {
                    if (!byReference) {
                        header.release();
                        payload.release();
                        fail("a split send on a transport that does not carry payloads by reference");
                    }
                    if (fromA) {
                        splitSends++;
                        splitBytes += length;
                        splitOddIndex += index & 1;
                        // the send buffer keeps its own reference: this is its chunk, not a copy
                        splitShared += payload.refCnt() >= 2 ? 1 : 0;
                        splitShort += length < BY_REFERENCE_MIN ? 1 : 0;
                        splitChecksums.add(header.getUnsignedShort(header.readerIndex() + 16));
                        if (splitSends == corruptSplitNumber) {
                            ByteBuf copy = header.alloc().buffer(length, length);
                            copy.writeBytes(payload, index, length);
                            int at = corruptAt >= 0 ? corruptAt : length - 1;
                            copy.setByte(at, copy.getByte(at) ^ 0x20);
                            payload.release();
                            payload = copy;
                            index = 0;
                            corrupted++;
                        }
                    }
                    enqueue(fromA ? b : a, source, destination, header, payload, index, length);
                }
            };
        }

        void enqueue(TcpHost to, IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index,
                int length) {
            inFlight.add(new InFlight(clock.nanos() + LATENCY, order++, to, source, destination, header, payload, index,
                    length));
        }

        /** Runs the network, calling {@code app} after every step, until it says it is done. */
        void run(BooleanSupplier app, int maxSteps) {
            for (int step = 0; step < maxSteps; step++) {
                if (app.getAsBoolean()) {
                    return;
                }
                long next = Math.min(a.nextDeadline(), b.nextDeadline());
                if (!inFlight.isEmpty()) {
                    next = Math.min(next, inFlight.peek().time);
                }
                if (next == Long.MAX_VALUE) {
                    fail("nothing left to happen, but the application is not done");
                }
                clock.set(Math.max(clock.nanos(), next));
                long now = clock.nanos();
                while (!inFlight.isEmpty() && inFlight.peek().time <= now) {
                    InFlight f = inFlight.poll();
                    if (f.payload == null) {
                        f.to.receive(f.source, f.destination, f.header);
                    } else {
                        f.to.receive(f.source, f.destination, f.header, f.payload, f.index, f.length);
                    }
                }
                if (a.nextDeadline() <= now) {
                    a.onTime(now);
                }
                if (b.nextDeadline() <= now) {
                    b.onTime(now);
                }
            }
            fail("not done after " + maxSteps + " steps at " + clock);
        }

        void releaseInFlight() {
            while (!inFlight.isEmpty()) {
                inFlight.poll().release();
            }
        }
    }

    /** The client's side of the transfer: writes the stream in {@link #PIECE}-byte pieces, then closes. */
    private static final class Writer {
        final TcpConnection c;
        final byte[] data;
        int written;
        boolean closed;

        Writer(TcpConnection c, byte[] data) {
            this.c = c;
            this.data = data;
        }

        void pump() {
            if (c.state() != TcpState.ESTABLISHED && c.state() != TcpState.CLOSE_WAIT || closed) {
                return;
            }
            while (written < data.length) {
                int n = Math.min(PIECE, data.length - written);
                ByteBuf piece = Unpooled.wrappedBuffer(data, written, n);
                int taken;
                try {
                    taken = c.send(piece);
                } finally {
                    piece.release();
                }
                written += taken;
                if (taken < n) {
                    return; // the send buffer is full: more when the peer has acknowledged some
                }
            }
            c.close(); // a FIN after the data
            closed = true;
        }
    }

    /** The server's side: reads everything into an array, then closes at the end of the stream. */
    private static final class Reader {
        final TcpListener listener;
        final byte[] got;
        final MessageDigest sha;
        TcpConnection c;
        int read;
        boolean ended;
        final ByteBuf scratch = Unpooled.buffer(100_000);

        Reader(TcpListener listener, int expected) throws NoSuchAlgorithmException {
            this.listener = listener;
            this.got = new byte[expected];
            this.sha = MessageDigest.getInstance("SHA-256");
        }

        void pump() {
            if (c == null) {
                c = listener.accept();
                if (c == null) {
                    return;
                }
            }
            while (!ended) {
                scratch.clear();
                int n = c.receive(scratch);
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    ended = true;
                    c.close();
                    return;
                }
                if (read + n > got.length) {
                    fail("more bytes arrived than were sent: " + (read + n));
                }
                scratch.readBytes(got, read, n);
                sha.update(got, read, n);
                read += n;
            }
        }
    }

    private record Outcome(Network net, byte[] sent, byte[] received, byte[] sentSha, byte[] receivedSha, int read) {
    }

    private static byte[] stream(int length, long seed) {
        byte[] data = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            data[i] = (byte) r.nextInt(256);
        }
        return data;
    }

    private static TcpConfig config(int mtu) {
        return TcpConfig.builder().mtu(mtu).sendBufferSize(1 << 20).receiveBufferSize(1 << 20).build();
    }

    /** Transfers {@code length} bytes a to b and closes both ends; checks nothing leaked. */
    private Outcome transfer(Network net, TcpConfig config, int length, boolean offload) throws Exception {
        TrackingAllocator alloc = new TrackingAllocator();
        net.a = new TcpHost("a", List.of(A), net.transportOf(true), net.clock, config, 1, 2, alloc);
        net.b = new TcpHost("b", List.of(B), net.transportOf(false), net.clock, config, 3, 4, alloc);
        net.a.checksumOffload(offload);
        net.b.checksumOffload(offload);
        byte[] data = stream(length, length);
        TcpListener listener = net.b.listen(null, 80, 16, false);
        Reader reader = new Reader(listener, length);
        try {
            TcpConnection client = net.a.connect(null, 40000, B, 80, ConnectionHandler.NONE);
            Writer writer = new Writer(client, data);
            net.run(() -> {
                writer.pump();
                reader.pump();
                return reader.ended && net.a.connectionCount() == 0 && net.b.connectionCount() == 0
                        && net.inFlight.isEmpty();
            }, 2_000_000);
            listener.close();
            assertEquals(length, reader.read, "bytes read");
            assertEquals(0, alloc.unreleasedCount(), "buffers never released, of " + alloc.allocatedCount());
            byte[] sentSha = MessageDigest.getInstance("SHA-256").digest(data);
            return new Outcome(net, data, reader.got, sentSha, reader.sha.digest(), reader.read);
        } finally {
            reader.scratch.release();
            net.releaseInFlight();
            alloc.releaseLeftovers();
        }
    }

    @ParameterizedTest(name = "mtu {0}, checksum offload {1}")
    @CsvSource({"65535, false", "9000, false", "65535, true"})
    void aBulkTransferGoesPartlyByReferenceAndArrivesIntact(int mtu, boolean offload) throws Exception {
        Network net = new Network(true);
        Outcome o = transfer(net, config(mtu), 3 * 1024 * 1024 + 12_345, offload);
        assertArrayEquals(o.sentSha, o.receivedSha, "SHA-256 of the stream");
        assertArrayEquals(o.sent, o.received);
        assertTrue(net.splitSends > 0, "some segments went by reference: " + counts(net));
        assertTrue(net.wholeLarge > 0, "some large segments (spanning send-buffer chunks) went as one buffer: " + counts(net));
        assertEquals(0, net.splitShort, "only payloads of at least 4096 bytes go by reference: " + counts(net));
        assertEquals(net.splitSends, net.splitShared, "a by-reference payload is the send buffer's own chunk: " + counts(net));
        assertTrue(net.splitOddIndex > 0, "some by-reference payloads start at an odd index of their chunk: " + counts(net));
        assertTrue(net.splitBytes + net.wholeBytes >= o.sent.length, counts(net));
        assertEquals(0, net.a.stats().malformed() + net.b.stats().malformed(), "every split checksum verified");
        if (offload) {
            assertTrue(net.splitChecksums.stream().allMatch(c -> c == 0), "offloaded: no checksum computed");
        } else {
            assertTrue(net.splitChecksums.stream().anyMatch(c -> c != 0));
        }
    }

    @Test
    void aTransportThatDoesNotCarryByReferenceGetsEverySegmentAsOneBuffer() throws Exception {
        Network net = new Network(false);
        Outcome o = transfer(net, config(65535), 1024 * 1024 + 1, false);
        assertArrayEquals(o.sentSha, o.receivedSha);
        assertEquals(0, net.splitSends);
        assertTrue(net.wholeLarge > 10, counts(net));
    }

    @Test
    void aCorruptedByReferencePayloadIsDroppedAsMalformedAndRetransmitted() throws Exception {
        Network net = new Network(true);
        net.corruptSplitNumber = 3;
        net.corruptAt = 1001; // an odd position of the payload
        Outcome o = transfer(net, config(65535), 2 * 1024 * 1024 + 777, false);
        assertEquals(1, net.corrupted, "one by-reference segment was corrupted: " + counts(net));
        assertEquals(1, net.b.stats().malformed(), "the receiver caught it by its checksum");
        assertEquals(0, net.a.stats().malformed());
        assertTrue(net.a.stats().retransmissions() >= 1, "the sender sent it again: " + net.a.stats());
        assertArrayEquals(o.sentSha, o.receivedSha, "SHA-256 of the stream");
        assertArrayEquals(o.sent, o.received);
    }

    @Test
    void aCorruptedLastPayloadByteIsCaught() throws Exception {
        // the last byte: with an odd payload length, the half of the last 16-bit word that is padded with zero
        Network net = new Network(true);
        net.corruptSplitNumber = 2;
        net.corruptAt = -1;
        Outcome o = transfer(net, config(9000), 512 * 1024 + 3, false);
        assertEquals(1, net.corrupted);
        assertEquals(1, net.b.stats().malformed());
        assertArrayEquals(o.sent, o.received);
    }

    private static String counts(Network net) {
        return "split " + net.splitSends + " (" + net.splitBytes + " bytes, " + net.splitOddIndex + " at odd index, "
                + net.splitShared + " shared), whole " + net.wholeSends + " (" + net.wholeLarge + " large, "
                + net.wholeBytes + " bytes)";
    }

    @Test
    void theSplitReceiveTakesOverBothReferencesWhateverBecomesOfTheSegment() throws Exception {
        TrackingAllocator alloc = new TrackingAllocator();
        List<ByteBuf> replies = new ArrayList<>();
        TcpHost host = new TcpHost("b", List.of(B), (s, d, bytes) -> replies.add(bytes), new ManualClock(), config(65535),
                3, 4, alloc);
        ByteBuf payload = alloc.buffer(10_000).writeZero(3).writeBytes(stream(9_000, 9)).writeZero(5);
        try {
            // not for us
            split(host, A, IpAddress.parse("10.0.0.3"), 40000, 80, payload, 0);
            assertEquals(1, host.stats().notForUs());
            // a wrong checksum (the header says another length of payload)
            split(host, A, B, 40000, 80, payload, 1);
            assertEquals(1, host.stats().malformed());
            // port 0
            split(host, A, B, 0, 80, payload, 0);
            assertEquals(1, host.stats().badPort());
            // nobody listens: answered with a RST
            split(host, A, B, 40000, 80, payload, 0);
            assertEquals(1, host.stats().rstsSent());
            assertEquals(1, replies.size());
            assertEquals(4, host.stats().segmentsReceived());
            assertEquals(1, payload.refCnt(), "every reference handed to the host was released once");
        } finally {
            replies.forEach(ByteBuf::release);
            payload.release();
        }
        assertEquals(0, alloc.unreleasedCount());
    }

    /** Hands {@code host} a 9000-byte data segment as a header and bytes 3.. of {@code payload}; checks both references were taken over. */
    private static void split(TcpHost host, IpAddress source, IpAddress destination, int sourcePort, int destinationPort,
            ByteBuf payload, int lengthLie) {
        TcpSegment seg = new TcpSegment().sourcePort(sourcePort)
                .destinationPort(destinationPort).seq(1000).ack(2000)
                .flags(TcpFlags.ACK | TcpFlags.PSH).window(1000)
                .payload(payload.retain(), 3, 9_000 + lengthLie);
        ByteBuf header = TcpCodec.encodeHeader(seg, source, destination, payload.alloc(), true);
        seg.release();
        int refs = payload.refCnt();
        host.receive(source, destination, header, payload.retain(), 3, 9_000);
        assertEquals(0, header.refCnt(), "the header part was released");
        assertEquals(refs, payload.refCnt(), "the payload reference was taken over and released");
    }
}
