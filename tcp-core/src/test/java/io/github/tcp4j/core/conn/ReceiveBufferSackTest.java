package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The SACK blocks a receive buffer reports (RFC 2018 section 4). */
class ReceiveBufferSackTest {

    private final ReceiveBuffer rb = new ReceiveBuffer(1 << 20);
    private final int[] edges = new int[8];

    private void arrive(int relative, int length) {
        rb.receive(relative, Unpooled.buffer(length).writeZero(length));
    }

    private int[] blocks(int max) {
        int n = rb.sackBlocks(edges, max);
        return Arrays.copyOf(edges, 2 * n);
    }

    @Test
    void theNewestSegmentsBlockComesFirstThenTheRecentOnes() {
        arrive(1000, 100); // [1000,1100)
        assertArrayEquals(new int[] {1000, 1100}, blocks(4));
        arrive(3000, 100); // [3000,3100)
        assertArrayEquals(new int[] {3000, 3100, 1000, 1100}, blocks(4));
        arrive(1100, 100); // extends the first range: it becomes the newest again (RFC 2018 4)
        assertArrayEquals(new int[] {1000, 1200, 3000, 3100}, blocks(4));
        arrive(5000, 10);
        arrive(7000, 10);
        assertArrayEquals(new int[] {7000, 7010, 5000, 5010, 1000, 1200}, blocks(3), "at most 3 beside timestamps");
        rb.release();
    }

    @Test
    void rangesFilledInOrderLeaveTheReportAndOffsetsFollowRcvNxt() {
        arrive(100, 100); // [100,200)
        arrive(300, 100); // [300,400)
        assertEquals(50, rb.receive(0, Unpooled.buffer(50).writeZero(50)), "in order, not yet up to the first range");
        // RCV.NXT moved by 50: the blocks are relative to the new RCV.NXT
        assertArrayEquals(new int[] {250, 350, 50, 150}, blocks(4));
        ByteBuf fill = Unpooled.buffer(50).writeZero(50);
        assertEquals(50 + 100, rb.receive(0, fill), "the gap filled: the first range joins the in-order data");
        assertArrayEquals(new int[] {100, 200}, blocks(4));
        arrive(100, 100); // a duplicate of the held range: still one block
        assertArrayEquals(new int[] {100, 200}, blocks(4));
        assertEquals(100 + 100, rb.receive(0, Unpooled.buffer(100).writeZero(100)), "the last gap filled");
        assertEquals(0, rb.sackBlocks(edges, 4), "nothing out of order: no SACK blocks");
        rb.release();
    }

    @Test
    void overlappingArrivalsMergeIntoOneBlock() {
        arrive(1000, 100);
        arrive(1050, 100);
        arrive(900, 120);
        assertArrayEquals(new int[] {900, 1150}, blocks(4));
        assertEquals(250, rb.outOfOrderBytes(), "each byte held once");
        rb.release();
    }
}
