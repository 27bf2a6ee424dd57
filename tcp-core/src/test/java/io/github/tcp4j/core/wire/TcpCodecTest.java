package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Known segments whose bytes and checksums were worked out by hand, and each kind of bad input. */
class TcpCodecTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Test
    void synWithMssMatchesHandComputedBytesAndChecksum() throws Exception {
        TcpSegment syn = new TcpSegment().sourcePort(40000).destinationPort(80).seq(100)
                .flags(TcpFlags.SYN).window(0xFFFF).mss(1460);
        ByteBuf wire = TcpCodec.encode(syn, A, B, ByteBufAllocator.DEFAULT);
        try {
            // The checksum by hand (RFC 1071: one's complement sum of 16-bit words):
            //   pseudo-header 0A00+0001 (10.0.0.1) + 0A00+0002 (10.0.0.2) + 0006 (TCP) + 0018 (24 bytes)
            //                 = 0x1421
            //   header words  9C40 (40000) + 0050 (80) + 0000+0064 (seq 100) + 0000+0000 (ack)
            //                 + 6002 (offset 6, SYN) + FFFF (window) + 0000 (checksum) + 0000 (urgent)
            //                 + 0204 + 05B4 (MSS option, 1460)
            //                 = 9C90 -> 9CF4 -> FCF6 -> 1FCF5 -> 1FEF9 -> 204AD
            //   total 204AD + 1421 = 218CE; fold: 18CE + 2 = 18D0; complement: E72F.
            byte[] expected = ByteBufUtil.decodeHexDump(
                    "9c40" + "0050" + "00000064" + "00000000" + "6002" + "ffff" + "e72f" + "0000" + "020405b4");
            assertArrayEquals(expected, ByteBufUtil.getBytes(wire));
            assertEquals(0xE72F, syn.checksum());

            TcpSegment back = TcpCodec.decode(wire, A, B);
            assertEquals(syn, back);
            assertEquals(1, back.segmentLength(), "a SYN occupies one sequence number");
            assertEquals("40000 > 80 [SYN] seq=100 win=65535 len=0 <mss 1460>", back.toString());
            back.release();
        } finally {
            wire.release();
        }
    }

    @Test
    void oddLengthPayloadIsPaddedWithAZeroByteForTheChecksum() throws Exception {
        ByteBuf data = Unpooled.copiedBuffer("hi!", StandardCharsets.US_ASCII);
        TcpSegment seg = new TcpSegment().sourcePort(80).destinationPort(40000).seq(1000).ack(101)
                .flags(TcpFlags.PSH | TcpFlags.ACK).window(4096).payload(data);
        ByteBuf wire = TcpCodec.encode(seg, B, A, ByteBufAllocator.DEFAULT);
        try {
            // By hand: pseudo-header 0A00+0002 + 0A00+0001 + 0006 + 0017 (23 bytes) = 0x1420
            //   header 0050 + 9C40 + 0000+03E8 + 0000+0065 + 5018 + 1000 + 0000 + 0000 = 100F5
            //   data "hi!" = 6869 + 2100 (the odd byte padded with zero) -> 100F5 + 8969 = 18A5E
            //   total 18A5E + 1420 = 19E7E; fold 9E7E + 1 = 9E7F; complement 6180.
            assertEquals(0x6180, seg.checksum());
            assertEquals(0x6180, wire.getUnsignedShort(16));
            TcpSegment back = TcpCodec.decode(wire, B, A);
            assertEquals("hi!", back.payload().toString(StandardCharsets.US_ASCII));
            assertEquals(seg, back);
            back.release();
        } finally {
            wire.release();
            seg.release();
        }
    }

    @Test
    void linuxStyleSynOptionsRoundTrip() throws Exception {
        TcpSegment syn = new TcpSegment().sourcePort(51000).destinationPort(443).seq(0xFFFF_FFF0)
                .flags(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR).window(64240)
                .mss(1460).sackPermitted(true).timestamps(0xDEAD_BEEF, 0).windowScale(7);
        ByteBuf wire = TcpCodec.encode(syn, A, B, ByteBufAllocator.DEFAULT);
        try {
            // Linux's SYN layout: MSS, SACK-permitted, timestamps, NOP, window scale = 20 bytes.
            assertEquals(40, wire.readableBytes());
            assertEquals("020405b4" + "0402" + "080adeadbeef00000000" + "01030307",
                    ByteBufUtil.hexDump(wire, 20, 20));
            TcpSegment back = TcpCodec.decode(wire, A, B);
            assertEquals(syn, back);
            assertTrue(back.toString().contains("<mss 1460,sackOK,TS val 3735928559 ecr 0,wscale 7>"), back.toString());
        } finally {
            wire.release();
        }
    }

    @Test
    void ipv6PseudoHeaderIsUsed() throws Exception {
        IpAddress s6 = IpAddress.parse("fd00::1");
        IpAddress d6 = IpAddress.parse("fd00::2");
        TcpSegment seg = new TcpSegment().sourcePort(1).destinationPort(2).flags(TcpFlags.RST);
        ByteBuf wire = TcpCodec.encode(seg, s6, d6, ByteBufAllocator.DEFAULT);
        try {
            assertEquals(seg, TcpCodec.decode(wire, s6, d6));
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> TcpCodec.decode(wire, s6, IpAddress.parse("fd00::3")));
            assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
            assertThrows(IllegalArgumentException.class, () -> TcpCodec.encode(seg, s6, B, ByteBufAllocator.DEFAULT));
        } finally {
            wire.release();
        }
    }

    @Test
    void unknownOptionsAreSkippedByTheirLength() throws Exception {
        // MSS, then an unknown kind 254 of length 4, then EOL padding.
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(
                "00010002" + "00000001" + "00000000" + "8010" + "0100" + "0000" + "0000"
                        + "020405b4" + "fe04abcd" + "00000000" + "cafe"));
        try {
            TcpSegment s = TcpCodec.decodeUnverified(in);
            assertEquals(1460, s.mss());
            assertEquals(2, s.payloadLength());
            assertEquals(0xCAFE, s.payload().getUnsignedShort(0));
            s.release();
        } finally {
            in.release();
        }
    }

    @Test
    void payloadIsAZeroCopySliceOwnedBySegment() throws Exception {
        TcpSegment seg = new TcpSegment().sourcePort(1).destinationPort(2).flags(TcpFlags.ACK)
                .payload(Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
        ByteBuf wire = TcpCodec.encode(seg, A, B, ByteBufAllocator.DEFAULT);
        seg.release();
        TcpSegment back = TcpCodec.decode(wire, A, B);
        wire.setByte(20, 9); // the slice shares the bytes of the input
        assertEquals(9, back.payload().getByte(0));
        assertEquals(0, wire.readerIndex(), "decode must not move the reader index");
        wire.release();
        assertEquals(1, back.payload().refCnt(), "the segment still holds the slice");
        back.release();
        assertEquals(0, wire.refCnt());
    }

    @Test
    void decodeAndTakeOverMakesTheReceivedBufferThePayload() throws Exception {
        ByteBuf data = Unpooled.copiedBuffer("payload", StandardCharsets.US_ASCII);
        TcpSegment sent = new TcpSegment().sourcePort(80).destinationPort(40000).seq(7).ack(9)
                .flags(TcpFlags.ACK).window(100).timestamps(1, 2).payload(data);
        ByteBuf wire = TcpCodec.encode(sent, B, A, ByteBufAllocator.DEFAULT);
        TcpSegment into = new TcpSegment();
        TcpCodec.decodeAndTakeOver(wire, B, A, into, true);
        assertEquals(sent, into);
        assertTrue(into.payload() == wire, "no slice: the buffer itself, its reader index past the header");
        assertEquals(1, wire.refCnt(), "the reference went to the segment");
        into.clear();
        assertEquals(0, wire.refCnt(), "clearing the segment released the received buffer");
        sent.release();
    }

    @Test
    void decodeAndTakeOverReleasesABufferWithoutPayloadAtOnce() throws Exception {
        TcpSegment ack = new TcpSegment().sourcePort(80).destinationPort(40000).seq(7).ack(9).flags(TcpFlags.ACK);
        ByteBuf wire = TcpCodec.encode(ack, B, A, ByteBufAllocator.DEFAULT);
        TcpSegment into = new TcpSegment();
        TcpCodec.decodeAndTakeOver(wire, B, A, into, true);
        assertEquals(ack, into);
        assertEquals(0, wire.refCnt());
        assertEquals(0, into.payloadLength());
    }

    @Test
    void aFailedDecodeAndTakeOverLeavesTheBufferToTheCaller() {
        TcpSegment ack = new TcpSegment().sourcePort(80).destinationPort(40000).seq(7).ack(9).flags(TcpFlags.ACK)
                .payload(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII));
        ByteBuf wire = TcpCodec.encode(ack, B, A, ByteBufAllocator.DEFAULT);
        wire.setByte(20, wire.getByte(20) ^ 1); // one bit of the payload flipped
        TcpSegment into = new TcpSegment().seq(99);
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> TcpCodec.decodeAndTakeOver(wire, B, A, into, true));
        assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
        assertEquals(1, wire.refCnt(), "still the caller's");
        assertEquals(0, wire.readerIndex(), "untouched");
        assertEquals(new TcpSegment(), into, "left cleared");
        wire.release();
        ack.release();
    }

    @Test
    void checksumOffloadLeavesTheFieldZeroAndTheReceiverDoesNotVerify() throws Exception {
        TcpSegment seg = new TcpSegment().sourcePort(80).destinationPort(40000).seq(1000).ack(101)
                .flags(TcpFlags.PSH | TcpFlags.ACK).window(4096)
                .payload(Unpooled.copiedBuffer("hi!", StandardCharsets.US_ASCII));
        ByteBuf wire = TcpCodec.encode(seg, B, A, ByteBufAllocator.DEFAULT, false);
        assertEquals(0, wire.getUnsignedShort(16));
        assertEquals(0, seg.checksum());
        ByteBuf copy = wire.copy();
        TcpSegment into = new TcpSegment();
        TcpCodec.decodeAndTakeOver(wire, B, A, into, false);
        assertEquals(seg, into);
        into.clear();
        // A receiver that verifies drops it: the right checksum of these bytes is 0x6180, not 0.
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> TcpCodec.decodeAndTakeOver(copy, B, A, into, true));
        assertEquals(MalformedReason.TCP_BAD_CHECKSUM, e.reason());
        copy.release();
        seg.release();
    }

    @Test
    void eachMalformationHasItsReason() {
        String fixed = "00010002" + "00000001" + "00000000";
        assertReason(MalformedReason.TCP_TRUNCATED_HEADER, "0001000200000001");
        assertReason(MalformedReason.TCP_DATA_OFFSET_TOO_SMALL, fixed + "4010" + "0100" + "0000" + "0000");
        assertReason(MalformedReason.TCP_DATA_OFFSET_BEYOND_BUFFER, fixed + "6010" + "0100" + "0000" + "0000" + "0101");
        assertReason(MalformedReason.TCP_OPTION_LENGTH_TOO_SMALL, fixed + "6010" + "0100" + "0000" + "0000" + "fe000000");
        assertReason(MalformedReason.TCP_OPTION_LENGTH_TOO_SMALL, fixed + "6010" + "0100" + "0000" + "0000" + "fe010000");
        assertReason(MalformedReason.TCP_OPTION_PAST_HEADER, fixed + "6010" + "0100" + "0000" + "0000" + "010101fe");
        assertReason(MalformedReason.TCP_OPTION_PAST_HEADER, fixed + "6010" + "0100" + "0000" + "0000" + "08050000");
        assertReason(MalformedReason.TCP_OPTION_BAD_LENGTH, fixed + "6010" + "0100" + "0000" + "0000" + "02030501");
        assertReason(MalformedReason.TCP_OPTION_BAD_LENGTH, fixed + "7010" + "0100" + "0000" + "0000" + "0506000000000000");
        assertReason(MalformedReason.TCP_BAD_CHECKSUM, fixed + "5010" + "0100" + "1234" + "0000");
    }

    private static void assertReason(MalformedReason expected, String hex) {
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        TcpSegment reused = new TcpSegment().seq(5).mss(100).payload(Unpooled.copiedBuffer(new byte[] {7}));
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> TcpCodec.decode(in, A, B, reused));
            assertEquals(expected, e.reason(), e.getMessage());
            assertEquals(new TcpSegment(), reused, "a failed decode leaves the target cleared");
            assertEquals(0, in.readerIndex());
        } finally {
            in.release();
        }
    }

    @Test
    void encodeRefusesOptionsThatDoNotFit() {
        TcpSegment s = new TcpSegment().mss(1460).timestamps(1, 2).windowScale(1);
        for (int i = 0; i < 3; i++) {
            s.addSackBlock(i, i + 1);
        }
        // 4 + 12 + 4 + 28 = 48 bytes: too many.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpCodec.optionsLength(s));
        assertTrue(e.getMessage().contains("48"));
        assertThrows(IllegalStateException.class, () -> s.addSackBlock(9, 10).addSackBlock(11, 12));
        assertFalse(new TcpSegment().has(TcpFlags.ACK));
    }

    @Test
    void setterRejectsOutOfRangeFields() {
        TcpSegment s = new TcpSegment();
        assertThrows(IllegalArgumentException.class, () -> s.sourcePort(65536));
        assertThrows(IllegalArgumentException.class, () -> s.window(-1));
        assertThrows(IllegalArgumentException.class, () -> s.flags(0x100));
        assertThrows(IllegalArgumentException.class, () -> s.windowScale(256));
        assertThrows(IllegalArgumentException.class, () -> s.sackLeft(0));
    }
}
