package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The payload modes of {@link TcpSegment} beside an owned buffer: held by reference
 * ({@link TcpSegment#payload(ByteBuf, int, int)}, one reference owned, no slice) and borrowed
 * ({@link TcpSegment#payload(PayloadSource, int, int)}, nothing owned): lengths, where the bytes
 * lie, materializing with {@link TcpSegment#payload()}, and exactly-once release.
 */
class TcpSegmentPayloadModesTest {

    private static final String TEXT = "hello, by reference";

    /** {@code TEXT} at absolute index {@code index} of a buffer with junk around it, of the given kind. */
    private static ByteBuf at(int index, boolean pooledDirect) {
        byte[] bytes = TEXT.getBytes(StandardCharsets.US_ASCII);
        int cap = index + bytes.length + 4;
        ByteBuf b = pooledDirect ? PooledByteBufAllocator.DEFAULT.directBuffer(cap) : Unpooled.buffer(cap);
        b.writeBytes(new byte[index]).writeBytes(bytes).writeInt(0xDEADBEEF);
        b.readerIndex(1); // nothing to do with the payload
        return b;
    }

    private static TcpSegment header() {
        return new TcpSegment().sourcePort(1234).destinationPort(80).seq(100).ack(200).flags(TcpFlags.ACK).window(512)
                .timestamps(5, 6);
    }

    private static String text(ByteBuf b) {
        return b.toString(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ held

    @Test
    void aHeldPayloadIsItsRangeOfTheGivenBuffer() {
        ByteBuf buf = at(7, false);
        TcpSegment s = header().payload(buf.retain(), 7, TEXT.length());
        try {
            assertEquals(2, buf.refCnt(), "the segment owns one reference, no more");
            assertEquals(TEXT.length(), s.payloadLength());
            assertEquals(TEXT.length(), s.segmentLength());
            assertEquals(TEXT.length() + 1, s.flags(TcpFlags.ACK | TcpFlags.SYN).segmentLength());
            assertEquals(TEXT.length() + 2, s.flags(TcpFlags.SYN | TcpFlags.FIN).segmentLength());
            assertEquals(TEXT.length() + 1, s.flags(TcpFlags.FIN | TcpFlags.ACK).segmentLength());
            assertTrue(s.payloadInOneBuffer());
            assertSame(buf, s.payloadBuffer(), "no slice");
            assertEquals(7, s.payloadIndex());
            assertEquals(1, buf.readerIndex(), "the buffer's indices are not touched");
            assertEquals(2, buf.refCnt(), "asking where the bytes lie takes no reference");
        } finally {
            s.release();
        }
        assertEquals(1, buf.refCnt());
        buf.release();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void materializingAHeldPayloadKeepsExactlyOneReference(boolean pooledDirect) {
        ByteBuf buf = at(3, pooledDirect);
        TcpSegment s = header().payload(buf.retain(), 3, TEXT.length());
        ByteBuf p = s.payload();
        assertEquals(TEXT, text(p));
        assertEquals(2, buf.refCnt(), "the materialized payload holds one reference, the held one was released once");
        assertSame(p, s.payload(), "materialized once");
        assertSame(p, s.payloadBuffer());
        assertEquals(p.readerIndex(), s.payloadIndex());
        assertEquals(TEXT.length(), s.payloadLength());
        assertEquals(2, buf.refCnt());
        s.release();
        assertEquals(1, buf.refCnt(), "released exactly once with the segment");
        assertEquals(0, s.payloadLength());
        assertEquals(100, s.seq(), "release keeps the header");
        buf.release();
    }

    @Test
    void clearReleasesAHeldPayloadOnce() {
        ByteBuf buf = at(0, false);
        TcpSegment s = header().payload(buf.retain(), 0, 5);
        s.clear();
        assertEquals(1, buf.refCnt());
        assertEquals(0, s.payloadLength());
        assertEquals(0, s.seq());
        assertEquals(new TcpSegment(), s);
        s.clear();
        s.release();
        assertEquals(1, buf.refCnt(), "a second clear releases nothing more");
        buf.release();
    }

    @Test
    void replacingAHeldPayloadReleasesIt() {
        ByteBuf buf = at(2, false);
        ByteBuf other = at(4, false);
        TcpSegment s = header().payload(buf.retain(), 2, 5);

        s.payload(Unpooled.copiedBuffer("owned", StandardCharsets.US_ASCII));
        assertEquals(1, buf.refCnt(), "replaced by an owned buffer");
        assertEquals("owned", text(s.payload()));

        s.payload(buf.retain(), 2, 5);
        s.payload(other.retain(), 4, 7);
        assertEquals(1, buf.refCnt(), "replaced by another held payload");
        assertSame(other, s.payloadBuffer());
        assertEquals(7, s.payloadLength());

        try (SplitPayloadSource source = SplitPayloadSource.whole(new byte[10])) {
            s.payload(source, 0, 10);
            assertEquals(1, other.refCnt(), "replaced by a borrowed payload");
            assertEquals(10, s.payloadLength());
            s.payload(buf.retain(), 2, 5);
            assertEquals(2, buf.refCnt());
            assertEquals(5, s.payloadLength());
            assertEquals(1, source.part(0).refCnt(), "a borrowed payload owns nothing of its source");
        }

        // the same buffer held again: the old reference released, the new one kept
        s.payload(buf.retain(), 3, 4);
        assertEquals(2, buf.refCnt());
        assertEquals(3, s.payloadIndex());
        assertEquals(TEXT.substring(1, 5), text(s.payload()));
        s.release();
        assertEquals(1, buf.refCnt());
        assertEquals(1, other.refCnt());
        buf.release();
        other.release();
    }

    @Test
    void anEmptyHeldRangeReleasesTheBufferAtOnce() {
        ByteBuf buf = at(2, false);
        TcpSegment s = header().payload(buf.retain(), 2, 0);
        assertEquals(1, buf.refCnt());
        assertEquals(0, s.payloadLength());
        assertNotSame(buf, s.payloadBuffer());
        assertTrue(s.payloadInOneBuffer());
        s.release();
        assertEquals(1, buf.refCnt());
        buf.release();
    }

    // ------------------------------------------------------------------ borrowed

    @Test
    void aBorrowedPayloadInOneBufferIsLentWhereItLies() {
        byte[] data = TEXT.getBytes(StandardCharsets.US_ASCII);
        try (SplitPayloadSource source = new SplitPayloadSource(data, new int[] {3}, new int[] {0, 5}, false)) {
            TcpSegment s = header().flags(TcpFlags.SYN).payload(source, 4, 10);
            assertEquals(10, s.payloadLength());
            assertEquals(11, s.segmentLength());
            assertTrue(s.payloadInOneBuffer());
            assertSame(source.part(1), s.payloadBuffer());
            assertEquals(5 + 1, s.payloadIndex());
            assertEquals(0, source.copies, "lent, not copied");
            s.clear();
            assertEquals(0, s.payloadLength());
            assertEquals(1, source.part(1).refCnt(), "the loan took and released no reference");
        }
    }

    @Test
    void aBorrowedPayloadIsCopiedWhenAskedForAndNoLongerReadsTheSource() {
        byte[] data = TEXT.getBytes(StandardCharsets.US_ASCII);
        try (SplitPayloadSource source = new SplitPayloadSource(data, new int[] {5, 11}, new int[] {1, 0, 3}, true)) {
            TcpSegment s = header().payload(source, 2, 15);
            assertFalse(s.payloadInOneBuffer(), "the range spans three parts");
            ByteBuf copy = s.payload();
            assertEquals(TEXT.substring(2, 17), text(copy));
            assertEquals(1, source.copies);
            for (int i = 0; i < source.partCount(); i++) {
                assertNotSame(source.part(i), copy);
            }
            assertTrue(s.payloadInOneBuffer(), "now in a buffer of the segment's own");
            assertSame(copy, s.payloadBuffer());
            assertEquals(copy.readerIndex(), s.payloadIndex());
            // the source may change now: the segment has its own bytes
            source.part(1).setByte(0, 'X');
            assertEquals(TEXT.substring(2, 17), text(s.payload()));
            assertEquals(1, source.copies, "copied once");
            assertEquals(15, s.payloadLength());
            s.release();
            assertEquals(0, copy.refCnt(), "the copy is the segment's and released with it");
        }
    }

    @Test
    void aSpanningBorrowedPayloadIsCopiedWhenItsBufferIsAskedFor() {
        byte[] data = TEXT.getBytes(StandardCharsets.US_ASCII);
        try (SplitPayloadSource source = new SplitPayloadSource(data, new int[] {9}, new int[] {2, 2}, false)) {
            TcpSegment s = header().payload(source, 0, 12);
            ByteBuf b = s.payloadBuffer();
            assertEquals(1, source.copies);
            assertEquals(TEXT.substring(0, 12), b.toString(s.payloadIndex(), 12, StandardCharsets.US_ASCII));
            s.release();
        }
    }

    @Test
    void aSourceWithoutAHolderIsNeverLent() {
        byte[] data = TEXT.getBytes(StandardCharsets.US_ASCII);
        try (SplitPayloadSource inner = SplitPayloadSource.whole(data)) {
            PayloadSource noHolder = new PayloadSource() {
                @Override
                public long copyTo(int offset, int length, ByteBuf out, int outIndex, boolean sum) {
                    return inner.copyTo(offset, length, out, outIndex, sum);
                }

                @Override
                public long sum(int offset, int length) {
                    return inner.sum(offset, length);
                }

                @Override
                public ByteBuf holder(int offset, int length) {
                    return null;
                }

                @Override
                public int holderIndex(int offset) {
                    throw new AssertionError("no holder, no index");
                }
            };
            TcpSegment s = header().payload(noHolder, 1, 4);
            assertFalse(s.payloadInOneBuffer());
            assertEquals(4, s.payloadLength());
            assertEquals(0, inner.copies);
            assertEquals(TEXT.substring(1, 5), text(s.payload()));
            assertEquals(1, inner.copies);
            assertTrue(s.payloadInOneBuffer());
            s.release();
        }
    }

    @Test
    void anEmptyBorrowedRangeIsNoLoan() {
        try (SplitPayloadSource source = SplitPayloadSource.whole(new byte[4])) {
            TcpSegment s = header().flags(TcpFlags.FIN).payload(source, 2, 0);
            assertEquals(0, s.payloadLength());
            assertEquals(1, s.segmentLength());
            assertTrue(s.payloadInOneBuffer());
            assertEquals(0, s.payload().readableBytes());
            assertEquals(0, source.copies);
            s.release();
        }
    }

    // ------------------------------------------------------------------ Object methods over all modes

    @Test
    void equalsHashCodeAndToStringAgreeAcrossEveryMode() {
        byte[] data = TEXT.getBytes(StandardCharsets.US_ASCII);
        ByteBuf held = at(5, true);
        try (SplitPayloadSource spanning = new SplitPayloadSource(data, new int[] {7}, new int[] {1, 0}, false);
                SplitPayloadSource onePart = new SplitPayloadSource(data, new int[] {1}, new int[] {0, 3}, true)) {
            List<TcpSegment> segments = List.of(
                    header().payload(Unpooled.copiedBuffer(TEXT, StandardCharsets.US_ASCII)),
                    header().payload(held.retain(), 5, TEXT.length()),
                    header().payload(spanning, 0, TEXT.length()),
                    header().payload(onePart, 1, TEXT.length() - 1));
            // the one-part source lacks the first byte: its segment differs, the other three agree
            int hash = segments.get(0).hashCode();
            String string = segments.get(0).toString();
            assertEquals("1234 > 80 [ACK] seq=100 ack=200 win=512 len=" + TEXT.length() + " <TS val 5 ecr 6>", string);
            for (int i = 1; i < 3; i++) {
                assertEquals(hash, segments.get(i).hashCode(), "hash of mode " + i);
                assertEquals(string, segments.get(i).toString(), "toString of mode " + i);
            }
            assertNotEquals(segments.get(0), segments.get(3));
            for (TcpSegment a : segments.subList(0, 3)) {
                for (TcpSegment b : segments.subList(0, 3)) {
                    assertEquals(a, b);
                }
            }
            // one changed byte tells each mode apart from the owned one
            TcpSegment changed = header().payload(Unpooled.copiedBuffer(TEXT.replace('y', 'Y'), StandardCharsets.US_ASCII));
            for (TcpSegment s : segments) {
                assertNotEquals(changed, s);
                assertNotEquals(s, changed);
            }
            changed.release();
            // equality looked at the bytes; the held payload still holds exactly one reference
            assertEquals(2, held.refCnt());
            segments.forEach(TcpSegment::release);
            assertEquals(1, held.refCnt());
            assertEquals(1, spanning.part(0).refCnt());
            assertEquals(1, onePart.part(1).refCnt());
        } finally {
            held.release();
        }
    }
}
