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
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The split (by-reference) encoding and decoding against the one-buffer codec: a header encoded
 * alone ({@link TcpCodec#encodeHeader}) followed by the payload's bytes is byte for byte the
 * segment {@link TcpCodec#encode} writes, whichever way the segment holds its payload (owned,
 * held by reference, borrowed from a source split at odd points); the split
 * {@link TcpCodec#decodeAndTakeOver(ByteBuf, ByteBuf, int, int, IpAddress, IpAddress, TcpSegment, boolean)}
 * decodes what the whole decoder decodes, keeps the payload where it lies and takes over exactly
 * one reference; any flipped byte is refused with both references left to the caller.
 */
class TcpCodecByReferenceProperties {

    private static final IpAddress SRC4 = IpAddress.parse("192.0.2.1");
    private static final IpAddress DST4 = IpAddress.parse("198.51.100.7");
    private static final IpAddress SRC6 = IpAddress.parse("2001:db8::1");
    private static final IpAddress DST6 = IpAddress.parse("2001:db8:0:1::ff");

    /** Where the payload's bytes lie in the buffer the test places them in. */
    enum Kind { HEAP, DIRECT, POOLED_HEAP, POOLED_DIRECT }

    /** How the encoded segment holds its payload. */
    enum Mode { OWNED, HELD, BORROWED }

    /** Every header field and option; applied to fresh segments so several can share it. */
    record Header(int sp, int dp, int seq, int ack, int flags, int window, int urp, Options o) {
        TcpSegment apply(TcpSegment s) {
            s.sourcePort(sp).destinationPort(dp).seq(seq).ack(ack).flags(flags).window(window).urgentPointer(urp)
                    .mss(o.mss).windowScale(o.windowScale).sackPermitted(o.sackPermitted);
            if (o.timestamps) {
                s.timestamps(o.tsVal, o.tsEcr);
            }
            for (int i = 0; i < o.sackEdges.length; i += 2) {
                s.addSackBlock(o.sackEdges[i], o.sackEdges[i + 1]);
            }
            return s;
        }

        int length() {
            return TcpSegment.MIN_HEADER_LENGTH + (o.mss >= 0 ? 4 : 0) + (o.timestamps ? 12 : o.sackPermitted ? 4 : 0)
                    + (o.windowScale >= 0 ? 4 : 0) + (o.sackEdges.length == 0 ? 0 : 4 + 4 * o.sackEdges.length);
        }
    }

    record Options(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int tsVal, int tsEcr,
            int[] sackEdges) {
        @Override
        public String toString() {
            return "Options[mss=" + mss + ", ws=" + windowScale + ", sackOK=" + sackPermitted + ", ts=" + timestamps
                    + ", sack=" + Arrays.toString(sackEdges) + "]";
        }
    }

    @Provide
    Arbitrary<Header> headers() {
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        Arbitrary<Integer> anyInt = Arbitraries.integers();
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 255);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 65535);
        return Combinators.combine(port, port, anyInt, anyInt, flags, u16, u16, options()).as(Header::new);
    }

    private Arbitrary<Options> options() {
        Arbitrary<Integer> mss = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 65535));
        Arbitrary<Integer> ws = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 255));
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        Arbitrary<Integer> anyInt = Arbitraries.integers();
        Arbitrary<int[]> edges = Arbitraries.integers().between(0, 4)
                .flatMap(n -> Arbitraries.integers().array(int[].class).ofSize(2 * n));
        return Combinators.combine(mss, ws, bool, bool, anyInt, anyInt, edges).as(Options::new)
                .map(TcpCodecByReferenceProperties::fitTo40Bytes);
    }

    /** Drops SACK blocks until the options fit, as a sender must. */
    private static Options fitTo40Bytes(Options o) {
        int fixed = (o.mss >= 0 ? 4 : 0) + (o.timestamps ? 12 : o.sackPermitted ? 4 : 0) + (o.windowScale >= 0 ? 4 : 0);
        int blocks = o.sackEdges.length / 2;
        while (blocks > 0 && fixed + 4 + 8 * blocks > 40) {
            blocks--;
        }
        return new Options(o.mss, o.windowScale, o.sackPermitted, o.timestamps, o.tsVal, o.tsEcr,
                Arrays.copyOf(o.sackEdges, 2 * blocks));
    }

    /** Payload lengths: tiny, odd and even, large, and up to the largest a segment can carry. */
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(0, 1, 2, 3, 63, 64, 65)),
                Tuple.of(3, Arbitraries.integers().between(0, 200)),
                Tuple.of(4, Arbitraries.integers().between(1000, 65535 - 60)),
                Tuple.of(1, Arbitraries.integers().between(65535 - 60, 65535 - 20)));
    }

    /** Lengths that may make the segment too long (up to 70000). */
    @Provide
    Arbitrary<Integer> anyLengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.integers().between(0, 70_000)),
                Tuple.of(1, Arbitraries.integers().between(65535 - 60, 65535 - 19)));
    }

    // ------------------------------------------------------------------ the buffers of one try

    /** The payload's bytes at index {@code pad} of a larger buffer of the given kind, with junk around them. */
    private static ByteBuf placed(Kind kind, byte[] data, int pad) {
        int cap = pad + data.length + 7;
        ByteBuf b = switch (kind) {
            case HEAP -> Unpooled.buffer(cap, cap);
            case DIRECT -> Unpooled.directBuffer(cap, cap);
            case POOLED_HEAP -> PooledByteBufAllocator.DEFAULT.heapBuffer(cap, cap);
            case POOLED_DIRECT -> PooledByteBufAllocator.DEFAULT.directBuffer(cap, cap);
        };
        for (int i = 0; i < pad; i++) {
            b.writeByte(0x77 + i);
        }
        b.writeBytes(data);
        b.writeZero(7);
        // indices that say nothing about the payload: the split forms must not read them
        b.setIndex(1 + (pad & 1), cap - 2);
        return b;
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] data = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            data[i] = (byte) r.nextInt(256);
        }
        return data;
    }

    /**
     * A source over {@code prefix + data + suffix} split into 2 or 3 parts at random (odd too)
     * points, some within the data, each part at a random (odd too) index of its buffer.
     */
    private static SplitPayloadSource source(byte[] data, int prefix, long seed, boolean direct) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5EED);
        int total = prefix + data.length + 3;
        byte[] all = new byte[total];
        System.arraycopy(data, 0, all, prefix, data.length);
        int parts = 2 + r.nextInt(2);
        int[] cuts = new int[parts - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = 1 + r.nextInt(total - 1);
        }
        Arrays.sort(cuts);
        int[] leads = new int[parts];
        for (int i = 0; i < parts; i++) {
            leads[i] = r.nextInt(6);
        }
        return new SplitPayloadSource(all, cuts, leads, direct);
    }

    // ------------------------------------------------------------------ (a) and (b)

    @Property(tries = 400)
    void headerPlusPayloadIsTheWholeEncodingAndSplitDecodeKeepsThePayloadInPlace(@ForAll("headers") Header h,
            @ForAll("lengths") int rawLength, @ForAll @IntRange(min = 0, max = 9) int pad, @ForAll Kind kind,
            @ForAll Mode mode, @ForAll boolean v6, @ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int prefix) throws Exception {
        int length = Math.min(rawLength, 65535 - h.length()); // the largest payload a segment with this header carries
        IpAddress src = v6 ? SRC6 : SRC4;
        IpAddress dst = v6 ? DST6 : DST4;
        byte[] data = randomBytes(seed, length);
        TcpSegment reference = h.apply(new TcpSegment()).payload(Unpooled.wrappedBuffer(data));
        ByteBuf whole = TcpCodec.encode(reference, src, dst, ByteBufAllocator.DEFAULT);
        ByteBuf big = placed(kind, data, pad);
        SplitPayloadSource source = source(data, prefix, seed, kind == Kind.DIRECT || kind == Kind.POOLED_DIRECT);
        TcpSegment seg = h.apply(new TcpSegment());
        TcpSegment into = new TcpSegment();
        TcpSegment wholeDecoded = null;
        try {
            switch (mode) {
                case OWNED -> seg.payload(big.retainedDuplicate().setIndex(pad, pad + length));
                case HELD -> seg.payload(big.retain(), pad, length);
                case BORROWED -> seg.payload(source, prefix, length);
            }
            int bigRefs = big.refCnt();
            int bigReader = big.readerIndex();
            int bigWriter = big.writerIndex();

            // (a) header + payload bytes == the whole encoding, same checksum
            ByteBuf header = TcpCodec.encodeHeader(seg, src, dst, ByteBufAllocator.DEFAULT, true);
            byte[] headerBytes = ByteBufUtil.getBytes(header);
            assertEquals(h.length(), headerBytes.length, "the header part is exactly header and options");
            assertEquals(TcpCodec.headerLength(seg), headerBytes.length);
            byte[] concatenated = Arrays.copyOf(headerBytes, headerBytes.length + length);
            System.arraycopy(data, 0, concatenated, headerBytes.length, length);
            assertArrayEquals(ByteBufUtil.getBytes(whole), concatenated, mode + " " + kind);
            assertEquals(reference.checksum(), seg.checksum(), "encodeHeader records the checksum it wrote");
            // the payload was read, not consumed or materialized
            assertEquals(length, seg.payloadLength());
            assertEquals(bigRefs, big.refCnt());
            assertEquals(bigReader, big.readerIndex());
            assertEquals(bigWriter, big.writerIndex());
            if (mode == Mode.BORROWED && length > 0) {
                assertEquals(source.holder(prefix, length) != null, seg.payloadInOneBuffer(),
                        "the borrowed payload was not copied into a buffer of the segment's own");
                assertEquals(0, source.copies, "encodeHeader sums the source in place, it does not copy it");
            }

            // (b) split decode of (header, payload in place) == decode of the whole encoding
            wholeDecoded = TcpCodec.decode(whole, src, dst);
            int refsBefore = big.refCnt();
            TcpCodec.decodeAndTakeOver(header, big.retain(), pad, length, src, dst, into, true);
            assertEquals(0, header.refCnt(), "the header part is released on success");
            assertEquals(bigReader, big.readerIndex(), "the payload's indices are not moved");
            assertEquals(bigWriter, big.writerIndex());
            assertEquals(length, into.payloadLength());
            assertEquals(reference.checksum(), into.checksum());
            if (length > 0) {
                assertEquals(refsBefore + 1, big.refCnt(), "the segment holds the reference it took over");
                assertSame(big, into.payloadBuffer(), "no copy, no slice: the given buffer itself");
                assertEquals(pad, into.payloadIndex());
                assertTrue(into.payloadInOneBuffer());
            } else {
                assertEquals(refsBefore, big.refCnt(), "an empty payload's buffer is released at once");
                assertNotSame(big, into.payloadBuffer());
            }
            assertEquals(wholeDecoded, into);
            assertEquals(wholeDecoded.hashCode(), into.hashCode());
            assertEquals(wholeDecoded.toString(), into.toString());
            into.release();
            assertEquals(refsBefore, big.refCnt(), "released exactly once with the segment");
        } finally {
            into.release();
            seg.release();
            reference.release();
            if (wholeDecoded != null) {
                wholeDecoded.release();
            }
            whole.release();
            source.close();
            big.release();
        }
        assertEquals(0, big.refCnt(), "every reference handed around was released exactly once");
    }

    @Property(tries = 150)
    void encodeHeaderWithoutChecksumMatchesTheWholeEncodingWithoutChecksum(@ForAll("headers") Header h,
            @ForAll("lengths") int rawLength, @ForAll Mode mode, @ForAll long seed) {
        int length = Math.min(rawLength, 65535 - h.length()); // the largest payload a segment with this header carries
        byte[] data = randomBytes(seed, length);
        TcpSegment reference = h.apply(new TcpSegment()).payload(Unpooled.wrappedBuffer(data));
        ByteBuf whole = TcpCodec.encode(reference, SRC4, DST4, ByteBufAllocator.DEFAULT, false);
        ByteBuf big = placed(Kind.HEAP, data, 3);
        SplitPayloadSource source = source(data, 1, seed, false);
        TcpSegment seg = h.apply(new TcpSegment()).checksum(0x1234);
        try {
            switch (mode) {
                case OWNED -> seg.payload(big.retainedDuplicate().setIndex(3, 3 + length));
                case HELD -> seg.payload(big.retain(), 3, length);
                case BORROWED -> seg.payload(source, 1, length);
            }
            ByteBuf header = TcpCodec.encodeHeader(seg, SRC4, DST4, ByteBufAllocator.DEFAULT, false);
            try {
                assertEquals(0, header.getUnsignedShort(16), "no checksum computed");
                assertEquals(0, seg.checksum());
                assertEquals(ByteBufUtil.hexDump(whole, 0, header.readableBytes()), ByteBufUtil.hexDump(header));
                assertEquals(0, source.sums, "nothing summed when the checksum is offloaded");
            } finally {
                header.release();
            }
        } finally {
            seg.release();
            reference.release();
            whole.release();
            source.close();
            big.release();
        }
    }

    @Property(tries = 200)
    void aTooLongSegmentIsRefusedByBothEncoders(@ForAll("headers") Header h, @ForAll("anyLengths") int length,
            @ForAll Mode mode) {
        byte[] data = new byte[length];
        ByteBuf big = placed(Kind.HEAP, data, 1);
        SplitPayloadSource source = source(data, 0, length, false);
        TcpSegment seg = h.apply(new TcpSegment());
        try {
            switch (mode) {
                case OWNED -> seg.payload(big.retainedDuplicate().setIndex(1, 1 + length));
                case HELD -> seg.payload(big.retain(), 1, length);
                case BORROWED -> seg.payload(source, 0, length);
            }
            boolean fits = h.length() + length <= 65535;
            if (fits) {
                TcpCodec.encodeHeader(seg, SRC4, DST4, ByteBufAllocator.DEFAULT, true).release();
                TcpCodec.encode(seg, SRC4, DST4, ByteBufAllocator.DEFAULT, true).release();
            } else {
                assertThrows(IllegalArgumentException.class,
                        () -> TcpCodec.encodeHeader(seg, SRC4, DST4, ByteBufAllocator.DEFAULT, true).release());
                assertThrows(IllegalArgumentException.class,
                        () -> TcpCodec.encode(seg, SRC4, DST4, ByteBufAllocator.DEFAULT, true).release());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> TcpCodec.encodeHeader(seg, SRC4, DST6, ByteBufAllocator.DEFAULT, true).release(),
                    "mixed address families");
            assertEquals(length, seg.payloadLength(), "the payload survives a refused encoding");
        } finally {
            seg.release();
            source.close();
            big.release();
        }
    }

    // ------------------------------------------------------------------ (c) corruption

    @Property(tries = 1500)
    void anyFlippedByteIsRefusedAndBothReferencesStayTheCallers(@ForAll("headers") Header h,
            @ForAll("lengths") int rawLength, @ForAll @IntRange(min = 0, max = 9) int pad, @ForAll Kind kind,
            @ForAll boolean v6, @ForAll long seed, @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int position,
            @ForAll @IntRange(min = 1, max = 255) int mask) throws Exception {
        int length = Math.min(rawLength, 65535 - h.length()); // the largest payload a segment with this header carries
        IpAddress src = v6 ? SRC6 : SRC4;
        IpAddress dst = v6 ? DST6 : DST4;
        byte[] data = randomBytes(seed, length);
        ByteBuf big = placed(kind, data, pad);
        TcpSegment seg = h.apply(new TcpSegment()).payload(big.retain(), pad, length);
        ByteBuf header = TcpCodec.encodeHeader(seg, src, dst, ByteBufAllocator.DEFAULT, true);
        seg.release();
        // the segment decoded into before: it holds a payload of its own, which a failure must release
        ByteBuf old = Unpooled.buffer(8).writeLong(42);
        TcpSegment into = new TcpSegment().seq(9).flags(TcpFlags.SYN).mss(536).timestamps(1, 2).addSackBlock(3, 4)
                .payload(old.retain(), 1, 5);
        try {
            int headerLength = header.readableBytes();
            int at = position % (headerLength + length);
            boolean inHeader = at < headerLength;
            MalformedReason expected;
            if (inHeader) {
                header.setByte(at, header.getByte(at) ^ mask);
                expected = expectedReasonForHeaderFlip(header, at, mask);
            } else {
                big.setByte(pad + at - headerLength, big.getByte(pad + at - headerLength) ^ mask);
                expected = MalformedReason.TCP_BAD_CHECKSUM;
            }
            int headerReader = header.readerIndex();
            int bigRefs = big.refCnt();
            int bigReader = big.readerIndex();
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(header, big, pad, length, src, dst, into, true));
            assertEquals(expected, e.reason(), (inHeader ? "header" : "payload") + " byte " + at + " ^ " + mask + ": " + e);
            assertEquals(1, header.refCnt(), "the header part is still the caller's");
            assertEquals(headerReader, header.readerIndex());
            assertEquals(headerLength, header.readableBytes());
            assertEquals(bigRefs, big.refCnt(), "the payload is still the caller's");
            assertEquals(bigReader, big.readerIndex());
            assertEquals(new TcpSegment(), into, "no half-decoded segment survives");
            assertEquals(0, into.payloadLength());
            assertEquals(-1, into.mss());
            assertEquals(1, old.refCnt(), "the previous payload was released");

            // undone, the same references decode (they were not consumed)
            if (inHeader) {
                header.setByte(at, header.getByte(at) ^ mask);
            } else {
                big.setByte(pad + at - headerLength, big.getByte(pad + at - headerLength) ^ mask);
            }
            TcpCodec.decodeAndTakeOver(header.retain(), big.retain(), pad, length, src, dst, into, true);
            assertEquals(1, header.refCnt());
            assertEquals(length, into.payloadLength());
            assertTrue(ByteBufUtil.equals(Unpooled.wrappedBuffer(data), into.payload()));
        } finally {
            into.release();
            header.release();
            big.release();
            old.release();
        }
        assertEquals(0, big.refCnt());
    }

    /**
     * What a flip of header byte {@code at} must be refused as: a data offset change as a data
     * offset error; a damaged option as whatever the option parser says; anything else (ports,
     * numbers, flags, window, checksum, urgent pointer, a damaged option that still parses) by
     * the checksum.
     */
    private static MalformedReason expectedReasonForHeaderFlip(ByteBuf header, int at, int mask) {
        boolean offsetChanged = at == 12 && (mask & 0xF0) != 0;
        if (offsetChanged || at >= TcpSegment.MIN_HEADER_LENGTH) {
            try {
                TcpCodec.decodeUnverified(header).release();
            } catch (MalformedPacketException e) {
                return e.reason(); // too small, beyond the part, or an option cut short
            }
        }
        // a smaller data offset that still parses: the header part is longer than the header
        return offsetChanged ? MalformedReason.TCP_DATA_OFFSET_BEYOND_BUFFER : MalformedReason.TCP_BAD_CHECKSUM;
    }

    // ------------------------------------------------------------------ (d) header part of the wrong length

    @Property(tries = 500)
    void aHeaderPartThatIsNotExactlyTheHeaderIsRefused(@ForAll("headers") Header h,
            @ForAll @IntRange(min = 0, max = 3000) int length, @ForAll @IntRange(min = 1, max = 12) int moved,
            @ForAll boolean intoHeader, @ForAll Kind kind, @ForAll long seed) {
        byte[] data = randomBytes(seed, length);
        TcpSegment seg = h.apply(new TcpSegment()).payload(Unpooled.wrappedBuffer(data));
        ByteBuf header = TcpCodec.encodeHeader(seg, SRC4, DST4, ByteBufAllocator.DEFAULT, true);
        seg.release();
        int headerLength = header.readableBytes();
        // Bytes moved across the boundary keep the checksum right: the total is the same
        // segment, only the split between the parts lies.
        byte[] wire = new byte[headerLength + length];
        header.getBytes(0, wire, 0, headerLength);
        System.arraycopy(data, 0, wire, headerLength, length);
        header.release();
        int k = intoHeader ? Math.min(moved, length) : Math.min(moved, headerLength);
        if (k == 0) {
            return; // nothing to move
        }
        int split = intoHeader ? headerLength + k : headerLength - k;
        ByteBuf headerPart = Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, 0, split));
        ByteBuf payload = placed(kind, Arrays.copyOfRange(wire, split, wire.length), 5);
        TcpSegment into = new TcpSegment();
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(headerPart, payload, 5, wire.length - split, SRC4, DST4, into, true));
            MalformedReason expected = split < TcpSegment.MIN_HEADER_LENGTH ? MalformedReason.TCP_TRUNCATED_HEADER
                    : MalformedReason.TCP_DATA_OFFSET_BEYOND_BUFFER;
            assertEquals(expected, e.reason(), "header part of " + split + " bytes, data offset says " + headerLength);
            assertEquals(1, headerPart.refCnt());
            assertEquals(1, payload.refCnt());
            assertEquals(new TcpSegment(), into);
            // and without verification too: the check is structural, not the checksum's
            MalformedPacketException unverified = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(headerPart, payload, 5, wire.length - split, SRC4, DST4, into, false));
            assertEquals(expected, unverified.reason());
            assertEquals(1, headerPart.refCnt());
            assertEquals(1, payload.refCnt());
        } finally {
            into.release();
            headerPart.release();
            payload.release();
        }
    }

    // ------------------------------------------------------------------ (e) verification off

    @Property(tries = 300)
    void withoutVerificationAWrongChecksumIsAccepted(@ForAll("headers") Header h, @ForAll("lengths") int rawLength,
            @ForAll @IntRange(min = 0, max = 9) int pad, @ForAll Kind kind, @ForAll long seed,
            @ForAll boolean corruptPayload, @ForAll @IntRange(min = 1, max = 0xFFFF) int delta) throws Exception {
        int length = Math.min(rawLength, 65535 - h.length()); // the largest payload a segment with this header carries
        byte[] data = randomBytes(seed, length);
        TcpSegment reference = h.apply(new TcpSegment()).payload(Unpooled.wrappedBuffer(data));
        ByteBuf header = TcpCodec.encodeHeader(reference, SRC4, DST4, ByteBufAllocator.DEFAULT, true);
        ByteBuf big = placed(kind, data, pad);
        TcpSegment into = new TcpSegment();
        try {
            boolean payloadCorrupted = corruptPayload && length > 0;
            int wrongChecksum = reference.checksum();
            if (payloadCorrupted) {
                int at = pad + (delta % length);
                big.setByte(at, big.getByte(at) ^ 0x40);
                data[at - pad] ^= 0x40;
            } else {
                wrongChecksum = (reference.checksum() + delta) & 0xFFFF;
                if (wrongChecksum == reference.checksum()) {
                    wrongChecksum ^= 1;
                }
                header.setShort(16, wrongChecksum);
            }
            // verified, it is refused...
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decodeAndTakeOver(header, big, pad, length, SRC4, DST4, into, true));
            assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
            // ...unverified, accepted as it is
            TcpCodec.decodeAndTakeOver(header.retain(), big.retain(), pad, length, SRC4, DST4, into, false);
            assertEquals(1, header.refCnt());
            assertEquals(wrongChecksum, into.checksum(), "the checksum field is recorded as received");
            if (length > 0) {
                assertSame(big, into.payloadBuffer());
                assertEquals(pad, into.payloadIndex());
            }
            TcpSegment expected = h.apply(new TcpSegment()).payload(Unpooled.wrappedBuffer(data));
            try {
                assertEquals(expected, into);
            } finally {
                expected.release();
            }
        } finally {
            into.release();
            reference.release();
            header.release();
            big.release();
        }
        assertEquals(0, big.refCnt());
    }

    // ------------------------------------------------------------------ the test source itself

    @Property(tries = 300)
    void theSplitSourceSumsAndCopiesLikeOneBuffer(@ForAll("lengths") int length, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 5) int prefix, @ForAll boolean direct) {
        byte[] data = randomBytes(seed, length);
        try (SplitPayloadSource s = source(data, prefix, seed, direct)) {
            ByteBuf contiguous = Unpooled.wrappedBuffer(data);
            ByteBuf out = Unpooled.buffer(length + 2);
            try {
                int expected = Checksum.fold(Checksum.add(0, contiguous, 0, length));
                assertEquals(expected, Checksum.fold(s.sum(prefix, length)), "in place");
                assertEquals(expected, Checksum.fold(s.copyTo(prefix, length, out, 1, true)), "copied to an odd index");
                out.writerIndex(1 + length);
                assertTrue(ByteBufUtil.equals(contiguous, 0, out, 1, length));
                ByteBuf holder = s.holder(prefix, length);
                if (holder != null) {
                    assertTrue(ByteBufUtil.equals(contiguous, 0, holder, s.holderIndex(prefix), length));
                }
                assertFalse(s.partCount() < 2);
            } finally {
                contiguous.release();
                out.release();
            }
        }
    }
}
