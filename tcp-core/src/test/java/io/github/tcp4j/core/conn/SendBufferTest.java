package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class SendBufferTest {

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private static ByteBuf pattern(int from, int n) {
        ByteBuf b = Unpooled.buffer(n);
        for (int i = 0; i < n; i++) {
            b.writeByte((from + i) * 7);
        }
        return b;
    }

    private static void assertPattern(ByteBuf b, int from, int n) {
        assertEquals(n, b.readableBytes());
        for (int i = 0; i < n; i++) {
            assertEquals((byte) ((from + i) * 7), b.getByte(b.readerIndex() + i), "byte " + (from + i));
        }
    }

    @Test
    void slicesWithinAndAcrossChunksCarryTheRightBytes() {
        SendBuffer sb = new SendBuffer(64 * 1024, alloc); // 16 KiB chunks
        ByteBuf src = pattern(0, 50_000);
        assertEquals(50_000, sb.write(src));
        src.release();
        for (int[] range : new int[][] {{0, 1000}, {16_000, 1_000}, {16_380, 100}, {10_000, 30_000}, {49_999, 1}}) {
            ByteBuf s = sb.slice(range[0], range[1]);
            assertPattern(s, range[0], range[1]);
            s.release();
        }
        sb.remove(20_000);
        ByteBuf s = sb.slice(0, 20_000);
        assertPattern(s, 20_000, 20_000);
        s.release();
        sb.release();
        assertEquals(0, sb.size());
    }

    @Test
    void capacityBoundsWhatIsTaken() {
        SendBuffer sb = new SendBuffer(1000, alloc);
        ByteBuf src = pattern(0, 1500);
        assertEquals(1000, sb.write(src));
        assertEquals(500, src.readableBytes(), "the rest stays with the caller");
        assertEquals(0, sb.free());
        sb.remove(400);
        assertEquals(400, sb.write(src));
        src.release();
        ByteBuf s = sb.slice(0, 1000);
        assertPattern(s, 400, 1000);
        s.release();
        sb.release();
    }

    @Test
    void badRangesAreRejected() {
        SendBuffer sb = new SendBuffer(1000, alloc);
        ByteBuf src = pattern(0, 10);
        sb.write(src);
        src.release();
        assertThrows(IndexOutOfBoundsException.class, () -> sb.slice(5, 6));
        assertThrows(IllegalArgumentException.class, () -> sb.remove(11));
        sb.release();
    }
}
