package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Codec properties: round trips, robustness against arbitrary bytes, and bit-flip detection. */
class TcpCodecProperties {

    private static final IpAddress SRC4 = IpAddress.parse("192.0.2.1");
    private static final IpAddress DST4 = IpAddress.parse("198.51.100.7");
    private static final IpAddress SRC6 = IpAddress.parse("2001:db8::1");
    private static final IpAddress DST6 = IpAddress.parse("2001:db8:0:1::ff");

    /** The option part of a segment, generated so that it always fits in 40 bytes. */
    private record Options(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int tsVal, int tsEcr,
            int[] sackEdges) {
    }

    @Provide
    Arbitrary<TcpSegment> segments() {
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        Arbitrary<Integer> anyInt = Arbitraries.integers();
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 255);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 65535);
        Arbitrary<byte[]> payload = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1000).ofMaxSize(65535 - 60));
        return Combinators.combine(port, port, anyInt, anyInt, flags, u16, u16, options())
                .as((sp, dp, seq, ack, fl, win, urp, opt) -> new Object[] {sp, dp, seq, ack, fl, win, urp, opt})
                .flatMap(h -> payload.map(data -> build(h, data)));
    }

    private static TcpSegment build(Object[] h, byte[] data) {
        Options o = (Options) h[7];
        TcpSegment s = new TcpSegment().sourcePort((Integer) h[0]).destinationPort((Integer) h[1])
                .seq((Integer) h[2]).ack((Integer) h[3]).flags((Integer) h[4]).window((Integer) h[5])
                .urgentPointer((Integer) h[6]).mss(o.mss).windowScale(o.windowScale).sackPermitted(o.sackPermitted)
                .payload(Unpooled.wrappedBuffer(data));
        if (o.timestamps) {
            s.timestamps(o.tsVal, o.tsEcr);
        }
        for (int i = 0; i < o.sackEdges.length; i += 2) {
            s.addSackBlock(o.sackEdges[i], o.sackEdges[i + 1]);
        }
        return s;
    }

    private Arbitrary<Options> options() {
        Arbitrary<Integer> mss = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 65535));
        Arbitrary<Integer> ws = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 255));
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        Arbitrary<Integer> anyInt = Arbitraries.integers();
        Arbitrary<int[]> edges = Arbitraries.integers().between(0, 4)
                .flatMap(n -> Arbitraries.integers().array(int[].class).ofSize(2 * n));
        return Combinators.combine(mss, ws, bool, bool, anyInt, anyInt, edges)
                .as(Options::new)
                .map(TcpCodecProperties::fitTo40Bytes);
    }

    /** Drops SACK blocks until the options fit, the way a sender must. */
    private static Options fitTo40Bytes(Options o) {
        int fixed = (o.mss >= 0 ? 4 : 0) + (o.timestamps ? 12 : o.sackPermitted ? 4 : 0) + (o.windowScale >= 0 ? 4 : 0);
        int blocks = o.sackEdges.length / 2;
        while (blocks > 0 && fixed + 4 + 8 * blocks > 40) {
            blocks--;
        }
        int[] kept = java.util.Arrays.copyOf(o.sackEdges, 2 * blocks);
        return new Options(o.mss, o.windowScale, o.sackPermitted, o.timestamps, o.tsVal, o.tsEcr, kept);
    }

    @Property(tries = 1000)
    void decodeOfEncodeIsIdentityOverIpv4AndIpv6(@ForAll("segments") TcpSegment s, @ForAll boolean v6) throws Exception {
        IpAddress src = v6 ? SRC6 : SRC4;
        IpAddress dst = v6 ? DST6 : DST4;
        ByteBuf wire = TcpCodec.encode(s, src, dst, ByteBufAllocator.DEFAULT);
        try {
            assertEquals(TcpCodec.encodedLength(s), wire.readableBytes());
            assertEquals(0, TcpCodec.headerLength(s) % 4, "header is padded to 32 bits");
            assertEquals(TcpCodec.headerLength(s) / 4, wire.getUnsignedByte(12) >>> 4, "data offset");
            TcpSegment back = TcpCodec.decode(wire, src, dst);
            try {
                assertEquals(s, back);
                assertEquals(s.checksum(), back.checksum());
                assertEquals(s.segmentLength(), back.segmentLength());
            } finally {
                back.release();
            }
        } finally {
            wire.release();
            s.release();
        }
    }

    @Property(tries = 60_000)
    void arbitraryBytesDecodeToASegmentOrATypedError(@ForAll @Size(max = 80) byte[] bytes) {
        decodeEveryWay(bytes);
    }

    @Property(tries = 60_000)
    void nearlyValidBytesDecodeToASegmentOrATypedError(@ForAll @Size(min = 20, max = 72) byte[] bytes,
            @ForAll @IntRange(min = 5, max = 15) int dataOffset, @ForAll @IntRange(min = 0, max = 12) int optionShape) {
        // Plausible headers: a sane data offset and option bytes made of real kinds and lengths,
        // so that the option parser (not just the first length check) meets the damage.
        bytes[12] = (byte) (dataOffset << 4);
        int[] kinds = {0, 1, 2, 3, 4, 5, 8, 254};
        for (int i = 20; i + 1 < bytes.length; i += 2 + (optionShape & 3)) {
            bytes[i] = (byte) kinds[Math.floorMod(bytes[i], kinds.length)];
            if ((optionShape & 4) != 0) {
                bytes[i + 1] = (byte) Math.floorMod(bytes[i + 1], 12);
            }
        }
        decodeEveryWay(bytes);
    }

    private static void decodeEveryWay(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        TcpSegment reused = new TcpSegment();
        try {
            try {
                TcpCodec.decodeUnverified(in).release();
            } catch (MalformedPacketException expected) {
                assertTrue(expected.reason().name().startsWith("TCP_"), expected.getMessage());
            }
            try {
                TcpCodec.decode(in, SRC4, DST4, reused);
            } catch (MalformedPacketException expected) {
                assertTrue(expected.reason().name().startsWith("TCP_"), expected.getMessage());
            }
            assertEquals(0, in.readerIndex());
            assertEquals(bytes.length, in.writerIndex());
        } finally {
            reused.release();
            in.release();
        }
    }

    @Property(tries = 3000)
    void anyOneBitFlipIsDetected(@ForAll("segments") TcpSegment s, @ForAll boolean v6,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int position) {
        IpAddress src = v6 ? SRC6 : SRC4;
        IpAddress dst = v6 ? DST6 : DST4;
        ByteBuf wire = TcpCodec.encode(s, src, dst, ByteBufAllocator.DEFAULT);
        s.release();
        try {
            int bit = position % (wire.readableBytes() * 8);
            int index = bit / 8;
            wire.setByte(index, wire.getByte(index) ^ (1 << (bit % 8)));
            // Whatever the flip broke (a length, an option, or only the sum), decoding must refuse it.
            assertThrows(MalformedPacketException.class, () -> TcpCodec.decode(wire, src, dst).release());
        } finally {
            wire.release();
        }
    }

    @Property(tries = 2000)
    void aFlippedAddressBitIsDetected(@ForAll("segments") TcpSegment s, @ForAll @IntRange(min = 0, max = 63) int bit) {
        ByteBuf wire = TcpCodec.encode(s, SRC4, DST4, ByteBufAllocator.DEFAULT);
        s.release();
        try {
            // The pseudo-header binds the segment to its addresses (RFC 9293 3.1).
            IpAddress src = bit < 32 ? IpAddress.v4(SRC4.v4Bits() ^ (1 << bit)) : SRC4;
            IpAddress dst = bit >= 32 ? IpAddress.v4(DST4.v4Bits() ^ (1 << (bit - 32))) : DST4;
            MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> TcpCodec.decode(wire, src, dst));
            assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
        } finally {
            wire.release();
        }
    }
}
