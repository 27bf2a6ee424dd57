package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default split forms of {@link SegmentTransport#send(IpAddress, IpAddress, ByteBuf, ByteBuf, int, int)}
 * and {@link SegmentReceiver#receive(IpAddress, IpAddress, ByteBuf, ByteBuf, int, int)}: they copy
 * header and payload range into one buffer, hand that to the one-buffer method and release both
 * inputs; a transport that does not say otherwise does not carry payloads by reference.
 */
class SegmentTransportDefaultsTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    /** What a one-buffer method was handed. */
    private static final class Delivery {
        final IpAddress source;
        final IpAddress destination;
        final ByteBuf bytes;

        Delivery(IpAddress source, IpAddress destination, ByteBuf bytes) {
            this.source = source;
            this.destination = destination;
            this.bytes = bytes;
        }
    }

    /** A header part of {@code n} bytes 0x10, 0x11, ... at reader index 2 (junk before, after its writer index). */
    private static ByteBuf header(io.netty.buffer.ByteBufAllocator alloc, int n) {
        ByteBuf h = alloc.heapBuffer(n + 6);
        h.writeByte(0xEE).writeByte(0xEE);
        for (int i = 0; i < n; i++) {
            h.writeByte(0x10 + i);
        }
        h.readerIndex(2);
        h.setByte(n + 2, 0xEE); // past the writer index: not the header's
        return h;
    }

    /** A payload buffer of {@code n} bytes; its indices say nothing about the range sent. */
    private static ByteBuf payload(int n) {
        ByteBuf p = Unpooled.directBuffer(n);
        for (int i = 0; i < n; i++) {
            p.writeByte(i * 7);
        }
        p.setIndex(3, n - 2);
        return p;
    }

    private static byte[] expected(ByteBuf header, ByteBuf payload, int index, int length) {
        byte[] out = new byte[header.readableBytes() + length];
        header.getBytes(header.readerIndex(), out, 0, header.readableBytes());
        payload.getBytes(index, out, header.readableBytes(), length);
        return out;
    }

    @Test
    void aTransportDoesNotCarryPayloadsByReferenceUnlessItSaysSo() {
        SegmentTransport t = (s, d, b) -> b.release();
        assertFalse(t.carriesPayloadByReference());
    }

    @Test
    void theDefaultSplitSendDeliversHeaderAndPayloadRangeAsOneBufferAndReleasesBoth() {
        List<Delivery> sent = new ArrayList<>();
        SegmentTransport t = (s, d, b) -> sent.add(new Delivery(s, d, b));
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf h = header(alloc, 24);
        ByteBuf p = payload(1000);
        byte[] want = expected(h, p, 101, 777);
        h.retain(); // the test's own references, to watch what the transport does with the ones it was given
        p.retain();
        t.send(A, B, h, p, 101, 777);
        assertEquals(1, sent.size());
        Delivery one = sent.get(0);
        assertSame(A, one.source);
        assertSame(B, one.destination);
        assertArrayEquals(want, ByteBufUtil.getBytes(one.bytes));
        assertEquals(0, one.bytes.readerIndex());
        assertEquals(1, one.bytes.refCnt(), "the one-buffer method owns the copy");
        assertSame(alloc, one.bytes.alloc(), "copied into a buffer of the header's allocator");
        assertEquals(1, h.refCnt(), "the header reference given away was released");
        assertEquals(1, p.refCnt(), "the payload reference given away was released");
        assertEquals(2, h.readerIndex(), "the header's indices are not moved");
        assertEquals(26, h.writerIndex());
        assertEquals(3, p.readerIndex(), "the payload's indices are not moved");
        assertEquals(998, p.writerIndex());
        one.bytes.release();
        h.release();
        p.release();
        alloc.assertAllReleased();
    }

    @Test
    void theDefaultSplitSendOfAnEmptyPayloadDeliversTheHeaderAlone() {
        List<Delivery> sent = new ArrayList<>();
        SegmentTransport t = (s, d, b) -> sent.add(new Delivery(s, d, b));
        ByteBuf h = header(UnpooledByteBufAllocator.DEFAULT, 20);
        ByteBuf p = payload(10);
        byte[] want = expected(h, p, 0, 0);
        p.retain();
        t.send(A, B, h, p, 5, 0);
        assertArrayEquals(want, ByteBufUtil.getBytes(sent.get(0).bytes));
        assertEquals(0, h.refCnt());
        assertEquals(1, p.refCnt());
        sent.get(0).bytes.release();
        p.release();
    }

    @Test
    void theDefaultSplitReceiveDeliversHeaderAndPayloadRangeAsOneBufferAndReleasesBoth() {
        List<Delivery> received = new ArrayList<>();
        SegmentReceiver r = (s, d, b) -> received.add(new Delivery(s, d, b));
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf h = header(alloc, 32);
        ByteBuf p = payload(70_000);
        byte[] want = expected(h, p, 1, 65_503);
        h.retain();
        p.retain();
        r.receive(B, A, h, p, 1, 65_503);
        assertEquals(1, received.size());
        Delivery one = received.get(0);
        assertSame(B, one.source);
        assertSame(A, one.destination);
        assertArrayEquals(want, ByteBufUtil.getBytes(one.bytes));
        assertEquals(1, one.bytes.refCnt());
        assertSame(alloc, one.bytes.alloc());
        assertEquals(1, h.refCnt());
        assertEquals(1, p.refCnt());
        assertEquals(2, h.readerIndex());
        assertEquals(3, p.readerIndex());
        one.bytes.release();
        h.release();
        p.release();
        alloc.assertAllReleased();
    }

    @Test
    void aTransportThatCarriesByReferenceIsCalledWithTheReferencesThemselves() {
        // the split form of a by-reference transport is its own; the default is not in the way
        List<ByteBuf> payloads = new ArrayList<>();
        SegmentTransport t = new SegmentTransport() {
            @Override
            public void send(IpAddress source, IpAddress destination, ByteBuf segment) {
                throw new AssertionError("not the one-buffer form");
            }

            @Override
            public boolean carriesPayloadByReference() {
                return true;
            }

            @Override
            public void send(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
                header.release();
                payloads.add(payload);
            }
        };
        ByteBuf p = payload(100);
        assertTrue(t.carriesPayloadByReference());
        t.send(A, B, header(UnpooledByteBufAllocator.DEFAULT, 20), p, 0, 100);
        assertSame(p, payloads.get(0));
        p.release();
    }


    @Test
    void aPayloadRangeOutsideItsBufferFailsAndReleasesBothInputs() {
        SegmentTransport t = (s, d, b) -> {
            b.release();
            throw new AssertionError("nothing should be delivered");
        };
        SegmentReceiver r = (s, d, b) -> {
            b.release();
            throw new AssertionError("nothing should be delivered");
        };
        TrackingAllocator alloc = new TrackingAllocator();
        try {
            ByteBuf h = header(alloc, 20);
            ByteBuf p = payload(100);
            p.retain();
            assertThrows(IndexOutOfBoundsException.class, () -> t.send(A, B, h, p, 90, 20));
            assertEquals(0, h.refCnt(), "the header given away is released");
            assertEquals(1, p.refCnt(), "the payload reference given away is released");
            ByteBuf h2 = header(alloc, 20);
            p.retain();
            assertThrows(IndexOutOfBoundsException.class, () -> r.receive(A, B, h2, p, 90, 20));
            assertEquals(0, h2.refCnt());
            assertEquals(1, p.refCnt());
            p.release();
        } finally {
            alloc.releaseLeftovers();
        }
    }

    @Test
    void aFailedCopyLeaksNothing() {
        SegmentTransport t = (s, d, b) -> b.release();
        SegmentReceiver r = (s, d, b) -> b.release();
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf p = payload(100);
        assertThrows(IndexOutOfBoundsException.class, () -> t.send(A, B, header(alloc, 20), p.retain(), 90, 20));
        assertThrows(IndexOutOfBoundsException.class, () -> r.receive(A, B, header(alloc, 20), p.retain(), 90, 20));
        p.release();
        // the two headers are released; the buffers that the defaults allocated to copy into are not
        assertEquals(0, alloc.releaseLeftovers(), "buffers allocated by the defaults and never released");
    }
}
