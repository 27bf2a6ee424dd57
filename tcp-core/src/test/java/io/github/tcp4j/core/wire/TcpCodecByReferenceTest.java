package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of the split (by-reference) codec: {@link TcpCodec#encodeHeader} and
 * {@link TcpCodec#decodeAndTakeOver(ByteBuf, ByteBuf, int, int, IpAddress, IpAddress, TcpSegment, boolean)}.
 */
class TcpCodecByReferenceTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");
    private static final IpAddress A6 = IpAddress.parse("2001:db8::1");
    private static final IpAddress B6 = IpAddress.parse("2001:db8::2");

    private static TcpSegment dataHeader() {
        return new TcpSegment().sourcePort(80).destinationPort(40000).seq(1000).ack(101)
                .flags(TcpFlags.PSH | TcpFlags.ACK).window(4096);
    }

    /** {@code text} at absolute index {@code index} of a heap buffer with junk before and after. */
    private static ByteBuf at(int index, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.buffer(index + bytes.length + 5);
        b.writeZero(index).writeBytes(bytes).writeBytes(new byte[] {1, 2, 3, 4, 5});
        return b;
    }

    @Test
    void handComputedChecksumOfAHeldOddPlacedPayloadMatchesTheWholeEncoding() throws Exception {
        // Same segment as TcpCodecTest's "hi!" example: checksum 0x6180 worked out by hand.
        ByteBuf buf = at(7, "hi!");
        TcpSegment seg = dataHeader().payload(buf.retain(), 7, 3);
        ByteBuf header = TcpCodec.encodeHeader(seg, B, A, ByteBufAllocator.DEFAULT, true);
        try {
            assertEquals(20, header.readableBytes());
            assertEquals(0x6180, header.getUnsignedShort(16));
            assertEquals(0x6180, seg.checksum());
            assertEquals(2, buf.refCnt(), "the held payload is read, not consumed");
            assertSame(buf, seg.payloadBuffer());
            assertEquals(7, seg.payloadIndex());
        } finally {
            header.release();
            seg.release();
        }
        assertEquals(1, buf.refCnt());
        buf.release();
    }

    @Test
    void aHeaderPartAtAnOddReaderIndexAndAPayloadInTheMiddleOfABufferDecode() throws Exception {
        TcpSegment seg = dataHeader().mss(1460).timestamps(7, 9).payload(Unpooled.copiedBuffer("payload bytes", StandardCharsets.US_ASCII));
        ByteBuf encoded = TcpCodec.encodeHeader(seg, A, B, ByteBufAllocator.DEFAULT, true);
        // the header part lies at reader index 3 of a bigger buffer
        ByteBuf header = Unpooled.buffer(64).writeZero(3).writeBytes(encoded);
        header.readerIndex(3);
        encoded.release();
        ByteBuf payload = at(11, "payload bytes");
        TcpSegment into = new TcpSegment();
        try {
            TcpCodec.decodeAndTakeOver(header, payload, 11, 13, A, B, into, true);
            assertEquals(0, header.refCnt());
            assertEquals(1, payload.refCnt(), "the segment took over the caller's reference");
            assertSame(payload, into.payloadBuffer());
            assertEquals(11, into.payloadIndex());
            assertEquals(0, payload.readerIndex(), "indices untouched");
            assertEquals(seg, into);
            assertEquals(seg.checksum(), into.checksum());
            assertEquals("80 > 40000 [PSH,ACK] seq=1000 ack=101 win=4096 len=13 <mss 1460,TS val 7 ecr 9>", into.toString());
        } finally {
            seg.release();
            into.release();
        }
        assertEquals(0, payload.refCnt(), "released with the segment, once");
    }

    @Test
    void anEmptyPayloadIsReleasedAtOnceAndTheSegmentHoldsNothing() throws Exception {
        TcpSegment ack = new TcpSegment().sourcePort(1).destinationPort(2).seq(5).ack(6).flags(TcpFlags.ACK).window(100);
        ByteBuf header = TcpCodec.encodeHeader(ack, A6, B6, ByteBufAllocator.DEFAULT, true);
        ByteBuf whole = TcpCodec.encode(ack, A6, B6, ByteBufAllocator.DEFAULT);
        assertTrue(ByteBufUtil.equals(whole, header), "without payload the header is the whole segment");
        whole.release();
        ByteBuf payload = Unpooled.buffer(8).writeLong(-1);
        payload.retain(); // the test's own, to watch the count
        TcpSegment into = new TcpSegment();
        TcpCodec.decodeAndTakeOver(header, payload, 2, 0, A6, B6, into, true);
        assertEquals(0, header.refCnt());
        assertEquals(1, payload.refCnt(), "the reference handed over is released at once");
        assertEquals(0, into.payloadLength());
        assertNotSame(payload, into.payloadBuffer());
        assertEquals(ack, into);
        into.release();
        assertEquals(1, payload.refCnt());
        payload.release();
    }

    @Test
    void aSuccessfulDecodeReleasesThePayloadTheSegmentHeldBefore() throws Exception {
        ByteBuf previous = at(0, "old!");
        TcpSegment into = new TcpSegment().seq(77).payload(previous.retain(), 0, 4);
        TcpSegment seg = dataHeader().payload(Unpooled.copiedBuffer("new", StandardCharsets.US_ASCII));
        ByteBuf header = TcpCodec.encodeHeader(seg, A, B, ByteBufAllocator.DEFAULT, true);
        ByteBuf payload = at(1, "new");
        try {
            TcpCodec.decodeAndTakeOver(header, payload, 1, 3, A, B, into, true);
            assertEquals(1, previous.refCnt(), "the old payload was released");
            assertEquals(1000, into.seq());
            assertEquals("new", into.payload().toString(StandardCharsets.US_ASCII));
        } finally {
            seg.release();
            into.release();
            previous.release();
        }
        assertEquals(0, payload.refCnt());
    }

    @Test
    void theChecksumBindsTheSplitSegmentToItsAddresses() throws Exception {
        TcpSegment seg = dataHeader().payload(Unpooled.copiedBuffer("bound", StandardCharsets.US_ASCII));
        ByteBuf header = TcpCodec.encodeHeader(seg, A, B, ByteBufAllocator.DEFAULT, true);
        ByteBuf payload = at(0, "bound");
        TcpSegment into = new TcpSegment();
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(header, payload, 0, 5, A, IpAddress.parse("10.0.0.3"), into, true));
            assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
            assertTrue(e.getMessage().contains("checksum 0x" + Integer.toHexString(seg.checksum())), e.getMessage());
            assertEquals(1, header.refCnt());
            assertEquals(1, payload.refCnt());
            assertEquals(new TcpSegment(), into);
            // the same bytes with the right addresses decode
            TcpCodec.decodeAndTakeOver(header.retain(), payload.retain(), 0, 5, A, B, into, true);
            assertEquals(seg, into);
        } finally {
            seg.release();
            into.release();
            header.release();
            payload.release();
        }
    }

    @Test
    void theChecksumCoversTheSplitPayloadsLength() throws Exception {
        // A payload range one byte short (a zero byte) sums the same words; only the length in the
        // pseudo-header tells them apart.
        TcpSegment seg = dataHeader().payload(Unpooled.wrappedBuffer(new byte[] {'a', 'b', 0}));
        ByteBuf header = TcpCodec.encodeHeader(seg, A, B, ByteBufAllocator.DEFAULT, true);
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {'a', 'b', 0});
        TcpSegment into = new TcpSegment();
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(header, payload, 0, 2, A, B, into, true));
            assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
            TcpCodec.decodeAndTakeOver(header.retain(), payload.retain(), 0, 3, A, B, into, true);
            assertEquals(3, into.payloadLength());
        } finally {
            seg.release();
            into.release();
            header.release();
            payload.release();
        }
    }

    @Test
    void aHeaderPartWithTheFirstPayloadBytesIsRefusedThoughItsChecksumIsRight() throws Exception {
        TcpSegment seg = dataHeader().payload(Unpooled.copiedBuffer("abcdefgh", StandardCharsets.US_ASCII));
        ByteBuf whole = TcpCodec.encode(seg, A, B, ByteBufAllocator.DEFAULT);
        seg.release();
        // 24 bytes of header part (the header and "abcd"), "efgh" as payload: the checksum is right
        ByteBuf header = whole.retainedSlice(0, 24);
        ByteBuf payload = whole.retainedSlice(24, 4);
        assertEquals(0, Checksum.tcp(A, B, whole, 0, 28), "the bytes themselves are a valid segment");
        TcpSegment into = new TcpSegment();
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(header, payload, 0, 4, A, B, into, true));
            assertEquals(MalformedReason.TCP_DATA_OFFSET_BEYOND_BUFFER, e.reason());
            assertTrue(e.getMessage().contains("data offset 20 bytes, header part has 24"), e.getMessage());
            assertEquals(new TcpSegment(), into);
        } finally {
            header.release();
            payload.release();
            whole.release();
        }
        assertEquals(0, whole.refCnt());
    }

    @Test
    void aShortHeaderPartIsRefusedAsTruncated() {
        ByteBuf header = Unpooled.buffer(19).writeZero(19);
        ByteBuf payload = Unpooled.buffer(4).writeInt(1);
        TcpSegment into = new TcpSegment().seq(3);
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(header, payload, 0, 4, A, B, into, false));
            assertEquals(MalformedReason.TCP_TRUNCATED_HEADER, e.reason());
            assertEquals(0, into.seq());
            assertEquals(1, header.refCnt());
            assertEquals(1, payload.refCnt());
        } finally {
            header.release();
            payload.release();
        }
    }

    @Test
    void aBorrowedPayloadSpanningPartsIsSummedInPlaceNotCopied() throws Exception {
        byte[] data = new byte[9001];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        // parts of 1001, 4444 and 3556 bytes (odd boundaries), at indices 3, 0 and 5 of their buffers
        try (SplitPayloadSource source = new SplitPayloadSource(data, new int[] {1001, 5445}, new int[] {3, 0, 5}, true)) {
            TcpSegment seg = dataHeader().payload(source, 1, 9000);
            assertFalse(seg.payloadInOneBuffer());
            ByteBuf header = TcpCodec.encodeHeader(seg, A, B, ByteBufAllocator.DEFAULT, true);
            assertEquals(0, source.copies, "nothing copied");
            assertEquals(1, source.sums, "summed once, in place");
            assertFalse(seg.payloadInOneBuffer(), "the segment still borrows (it made no copy of its own)");
            TcpSegment owned = dataHeader().payload(Unpooled.wrappedBuffer(data, 1, 9000));
            ByteBuf whole = TcpCodec.encode(owned, A, B, ByteBufAllocator.DEFAULT);
            try {
                assertEquals(owned.checksum(), seg.checksum());
                assertTrue(ByteBufUtil.equals(whole, 0, header, 0, header.readableBytes()));
                // the one-buffer encoder copies the borrowed payload (one copy) to the same bytes
                ByteBuf again = TcpCodec.encode(seg, A, B, ByteBufAllocator.DEFAULT);
                assertEquals(1, source.copies);
                assertArrayEquals(ByteBufUtil.getBytes(whole), ByteBufUtil.getBytes(again));
                again.release();
            } finally {
                whole.release();
                owned.release();
                header.release();
                seg.release();
            }
        }
    }

    @Test
    void aBorrowedPayloadInOnePartIsLentWhereItLies() {
        byte[] data = new byte[5000];
        try (SplitPayloadSource source = new SplitPayloadSource(data, new int[] {777}, new int[] {1, 2}, false)) {
            TcpSegment seg = dataHeader().payload(source, 800, 4000);
            assertTrue(seg.payloadInOneBuffer());
            assertSame(source.part(1), seg.payloadBuffer());
            assertEquals(2 + 800 - 777, seg.payloadIndex());
            assertEquals(4000, seg.payloadLength());
            assertEquals(0, source.copies);
            seg.release();
        }
    }

    // The split decode sums the payload where the transport says it lies (Checksum.add over the
    // given range), so a range past the buffer must fail loudly, as Checksum.add documents.

    @Test
    void summingARangePastAnUnpooledOrDirectBufferThrows() {
        ByteBuf heap = Unpooled.buffer(128, 128);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(128, 128);
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> Checksum.add(0, heap, 100, 100));
            assertThrows(IndexOutOfBoundsException.class, () -> Checksum.add(0, direct, 100, 100));
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Test
    void summingARangePastAPooledHeapBufferThrows() {
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.heapBuffer(128, 128);
        try {
            // the buffer's array is the pool's whole chunk: bytes 128.. belong to other buffers
            assertTrue(pooled.array().length > pooled.arrayOffset() + 200);
            assertThrows(IndexOutOfBoundsException.class, () -> Checksum.add(0, pooled, 100, 100));
        } finally {
            pooled.release();
        }
    }
}
