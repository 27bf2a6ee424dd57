package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The life of a blocking call: reuse, the view of the caller's buffer, completion and cancellation. */
class BlockingCallTest {

    @Test
    void aFreeCallIsReusedAndABusyOneIsNot() {
        BlockingCall reusable = new BlockingCall(null, false);
        BlockingCall first = BlockingCall.acquire(reusable);
        assertSame(reusable, first);
        BlockingCall second = BlockingCall.acquire(reusable);
        assertNotSame(reusable, second, "in use by another caller: a fresh call");
        first.release();
        assertSame(reusable, BlockingCall.acquire(reusable));
    }

    @Test
    void theViewOfTheSameRegionIsReused() {
        BlockingCall call = BlockingCall.acquire(new BlockingCall(null, true));
        ByteBuffer src = ByteBuffer.allocate(100);
        src.limit(60);
        call.prepare(src);
        assertEquals(60, call.buf.readableBytes(), "a write sees the remaining bytes");
        var view = call.buf;
        view.skipBytes(10);
        call.prepare(src);
        assertSame(view, call.buf, "same buffer, same region: the same view, indices reset");
        assertEquals(60, call.buf.readableBytes());
        src.position(20);
        call.prepare(src);
        assertNotSame(view, call.buf, "another region: another view");
        assertEquals(40, call.buf.readableBytes());
    }

    @Test
    void aReadViewStartsEmptyWithTheRoomOfTheBuffer() {
        BlockingCall call = BlockingCall.acquire(new BlockingCall(null, false));
        ByteBuffer dst = ByteBuffer.allocate(50);
        dst.position(5);
        call.prepare(dst);
        assertEquals(0, call.buf.readableBytes());
        assertEquals(45, call.buf.writableBytes());
    }

    @Test
    void cancellingAWaitingCallWinsAndTheStackThenFreesIt() {
        BlockingCall reusable = new BlockingCall(null, false);
        BlockingCall call = BlockingCall.acquire(reusable);
        assertTrue(call.cancel(), "still waiting: the caller gives up");
        assertFalse(call.claim(), "the stack meets the cancelled call and drops it");
        assertSame(reusable, BlockingCall.acquire(reusable), "and it is free again");
    }

    @Test
    void aFinishedCallCannotBeCancelled() {
        BlockingCall call = BlockingCall.acquire(new BlockingCall(null, false));
        call.prepare(ByteBuffer.allocate(1));
        assertTrue(call.claim());
        call.result = 1;
        call.finish();
        assertTrue(call.isDone());
        assertFalse(call.cancel(), "done first: the caller takes the result");
        assertEquals(1, call.result);
    }
}
