package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The fast checksum against a reference written the plain way (RFC 1071: add 16-bit big-endian
 * words one at a time, fold each carry at once), over every kind of buffer the fast paths
 * distinguish: heap arrays at any offset, direct buffers (pooled, unpooled, wrapped from a little-endian NIO buffer),
 * slices and composites, at any start, any length (odd included) and any starting sum.
 */
class ChecksumProperties {

    /** RFC 1071, the obvious way. */
    private static int reference(long start, byte[] data, int from, int length) {
        long sum = start;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int s = (int) sum;
        for (int i = 0; i < length; i += 2) {
            int hi = data[from + i] & 0xFF;
            int lo = i + 1 < length ? data[from + i + 1] & 0xFF : 0;
            s += (hi << 8) | lo;
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return ~s & 0xFFFF;
    }

    enum Kind { HEAP, HEAP_OFFSET, UNPOOLED_DIRECT, POOLED_DIRECT, POOLED_HEAP, NIO_LITTLE_ENDIAN_ORIGIN, SLICE, COMPOSITE }

    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1000).ofMaxSize(70_000),
                Arbitraries.of((byte) 0xFF).array(byte[].class).ofMinSize(0).ofMaxSize(70_000)); // all carries
    }

    @Property(tries = 600)
    void fastSumEqualsTheReference(@ForAll("data") byte[] data, @ForAll Kind kind, @ForAll @IntRange(max = 199) int a,
            @ForAll @IntRange(max = 199) int b, @ForAll long start) {
        int from = Math.min(a, data.length);
        int length = Math.max(0, Math.min(data.length - from, data.length - from - b));
        long startSum = start >>> 2; // any unfolded sum a caller may bring (pseudo-header words)
        ByteBuf buf = wrap(kind, data);
        try {
            int got = Checksum.fold(Checksum.add(startSum, buf, buf.readerIndex() + from, length));
            assertEquals(reference(startSum, data, from, length), got, kind + " from " + from + " length " + length);
        } finally {
            buf.release();
        }
    }

    @Property(tries = 200)
    void aSegmentWithItsChecksumSumsToZero(@ForAll("data") byte[] data, @ForAll Kind kind) {
        IpAddress src = IpAddress.parse("192.0.2.1");
        IpAddress dst = IpAddress.parse("198.51.100.7");
        if (data.length < 20) {
            return;
        }
        data[16] = 0;
        data[17] = 0;
        int sum = reference(Checksum.pseudoHeaderSum(src, dst, data.length), data, 0, data.length);
        data[16] = (byte) (sum >>> 8);
        data[17] = (byte) sum;
        ByteBuf buf = wrap(kind, data);
        try {
            assertEquals(0, Checksum.tcp(src, dst, buf, buf.readerIndex(), data.length), kind.toString());
        } finally {
            buf.release();
        }
    }

    private static ByteBuf wrap(Kind kind, byte[] data) {
        switch (kind) {
            case HEAP:
                return Unpooled.wrappedBuffer(data.clone());
            case HEAP_OFFSET: {
                byte[] big = new byte[data.length + 13];
                System.arraycopy(data, 0, big, 13, data.length);
                return Unpooled.wrappedBuffer(big, 13, data.length);
            }
            case UNPOOLED_DIRECT:
                return UnpooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
            case POOLED_DIRECT:
                return PooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
            case POOLED_HEAP:
                return PooledByteBufAllocator.DEFAULT.heapBuffer(data.length).writeBytes(data);
            case NIO_LITTLE_ENDIAN_ORIGIN: {
                ByteBuffer nio = ByteBuffer.allocateDirect(data.length).order(ByteOrder.LITTLE_ENDIAN);
                nio.put(data).flip();
                return Unpooled.wrappedBuffer(nio);
            }
            case SLICE: {
                ByteBuf parent = PooledByteBufAllocator.DEFAULT.directBuffer(data.length + 7).writeZero(7).writeBytes(data);
                ByteBuf slice = parent.retainedSlice(7, data.length);
                parent.release();
                return slice;
            }
            case COMPOSITE: {
                CompositeByteBuf c = Unpooled.compositeBuffer();
                int half = data.length / 3;
                c.addComponent(true, Unpooled.wrappedBuffer(data.clone(), 0, half));
                c.addComponent(true, Unpooled.directBuffer(data.length - half).writeBytes(data, half, data.length - half));
                return c;
            }
            default:
                throw new AssertionError(kind);
        }
    }
}
