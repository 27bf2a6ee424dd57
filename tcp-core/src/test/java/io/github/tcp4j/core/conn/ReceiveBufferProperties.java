package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Reassembly against the stream it came from: pieces of a byte stream arrive in any order, small
 * and large (small ones are copied into the buffer's own chunks, large ones kept by reference),
 * overlapping, duplicated, some behind RCV.NXT; reads of any size interleave. Whatever is read is
 * exactly the stream's next bytes, RCV.NXT (the sum of what {@code receive} reports in order)
 * never passes the contiguous data, and once every byte has arrived all of it reads back.
 */
class ReceiveBufferProperties {

    private static final int STREAM = 200_000;

    /** One step: a piece of the stream [start, start + length) arrives, then {@code read} bytes are read. */
    record Step(int start, int length, int read, boolean direct) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> length = Arbitraries.oneOf(Arbitraries.integers().between(1, 2048),
                Arbitraries.integers().between(2049, 70_000));
        return Combinators.combine(Arbitraries.integers().between(0, STREAM - 1), length,
                Arbitraries.integers().between(0, 40_000), Arbitraries.of(true, false))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 300)
    void readsReturnTheStreamInOrder(@ForAll("steps") List<Step> steps) {
        byte[] stream = new byte[STREAM];
        for (int i = 0; i < STREAM; i++) {
            stream[i] = (byte) (i * 131 + (i >>> 9));
        }
        ReceiveBuffer rb = new ReceiveBuffer(1 << 30, PooledByteBufAllocator.DEFAULT);
        long rcvNxt = 0;
        int readSoFar = 0;
        try {
            for (Step s : steps) {
                int start = s.start();
                int end = Math.min(STREAM, start + s.length());
                rcvNxt += arrive(rb, stream, rcvNxt, start, end, s.direct());
                readSoFar = read(rb, stream, readSoFar, s.read());
                assertEquals(rcvNxt - readSoFar, rb.available(), "in-order bytes not yet read");
            }
            for (int at = 0; at < STREAM; at += 50_000) { // the rest arrives
                rcvNxt += arrive(rb, stream, rcvNxt, at, Math.min(STREAM, at + 50_000), false);
            }
            assertEquals(STREAM, rcvNxt, "every byte in order");
            readSoFar = read(rb, stream, readSoFar, STREAM);
            assertEquals(STREAM, readSoFar);
            assertEquals(0, rb.outOfOrderBytes());
        } finally {
            rb.release();
        }
    }

    /** Delivers stream bytes [start, end) as a segment would, trimmed at RCV.NXT; returns how far RCV.NXT moved. */
    private static int arrive(ReceiveBuffer rb, byte[] stream, long rcvNxt, int start, int end, boolean direct) {
        int from = (int) Math.max(start, rcvNxt);
        if (from >= end) {
            return 0; // wholly old: the connection drops it before the buffer
        }
        // a segment buffer with a header in front of the payload, as the decoder leaves it
        ByteBuf seg = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(end - from + 20) : Unpooled.buffer(end - from + 20);
        seg.writeZero(20).writeBytes(stream, from, end - from).skipBytes(20);
        int moved = rb.receive((int) (from - rcvNxt), seg, seg.readerIndex(), end - from);
        assertEquals(true, moved >= 0 && rcvNxt + moved <= STREAM);
        return moved;
    }

    private static int read(ReceiveBuffer rb, byte[] stream, int readSoFar, int want) {
        ByteBuf dst = Unpooled.buffer(Math.max(1, want));
        try {
            int n = rb.read(dst);
            for (int i = 0; i < n; i++) {
                assertEquals(stream[readSoFar + i], dst.getByte(i), "byte " + (readSoFar + i));
            }
            return readSoFar + n;
        } finally {
            dst.release();
        }
    }
}
