package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Test
    void headerMatchesHandComputedChecksum() throws Exception {
        Ipv4Header h = new Ipv4Header(0, 40, 0x1C46, Ipv4Header.FLAG_DF, 0, 64, 6, A, B);
        ByteBuf buf = Unpooled.buffer();
        try {
            h.encode(buf);
            // By hand, the header's 16-bit words with the checksum field zero:
            //   4500 (v4, IHL 5, TOS 0) + 0028 (40 bytes) + 1C46 (id) + 4000 (DF) + 4006 (TTL 64, TCP)
            //   + 0000 (checksum) + 0A00 + 0001 + 0A00 + 0002
            //   = 4528 -> 616E -> A16E -> E174 -> EB74 -> EB75 -> F575 -> F577
            //   no carry to fold; complement of F577 = 0A88.
            assertArrayEquals(ByteBufUtil.decodeHexDump("45000028" + "1c464000" + "40060a88" + "0a000001" + "0a000002"),
                    ByteBufUtil.getBytes(buf));
            buf.writeZero(20); // the 20 payload bytes the total length promises
            Ipv4Header back = Ipv4Header.decode(buf);
            assertEquals(h, back);
            assertEquals(0x0A88, back.headerChecksum());
            assertTrue(back.dontFragment());
            assertFalse(back.isFragment());
            assertEquals(20, back.payloadLength());
        } finally {
            buf.release();
        }
    }

    @Test
    void payloadSliceStopsAtTotalLengthAndOptionsAreSkipped() throws Exception {
        // IHL 6 (one option word: NOP NOP NOP EOL), total length 26, then 2 payload bytes and 3 bytes of link padding.
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(ByteBufUtil.decodeHexDump("4600001a" + "00000000" + "40060000" + "0a000001" + "0a000002" + "01010100"));
        buf.setShort(10, Checksum.fold(Checksum.add(0, buf, 0, 24)));
        buf.writeBytes(new byte[] {(byte) 0xAB, (byte) 0xCD, 0, 0, 0});
        try {
            Ipv4Header h = Ipv4Header.decode(buf);
            assertEquals(24, h.headerLength());
            assertEquals(2, h.payloadLength());
            assertEquals(0xABCD, h.payloadSlice(buf).getUnsignedShort(0));
            assertEquals(2, h.payloadSlice(buf).readableBytes());
        } finally {
            buf.release();
        }
    }

    @Test
    void fragmentsAreRecognised() {
        assertTrue(new Ipv4Header(0, 40, 1, Ipv4Header.FLAG_MF, 0, 64, 6, A, B).isFragment());
        assertTrue(new Ipv4Header(0, 40, 1, 0, 185, 64, 6, A, B).isFragment());
        assertFalse(Ipv4Header.forTcp(A, B, 20, 7).isFragment());
    }

    @Test
    void eachMalformationHasItsReason() {
        String good = "45000028" + "1c464000" + "40060a88" + "0a000001" + "0a000002" + "00".repeat(20);
        assertReason(MalformedReason.IP_TRUNCATED_HEADER, good.substring(0, 38));
        assertReason(MalformedReason.IP_BAD_VERSION, "6" + good.substring(1));
        assertReason(MalformedReason.IP_IHL_TOO_SMALL, "44" + good.substring(2));
        assertReason(MalformedReason.IP_TRUNCATED_HEADER, "4f" + good.substring(2, 40));
        assertReason(MalformedReason.IP_TOTAL_LENGTH_MISMATCH, "45000013" + good.substring(8));
        assertReason(MalformedReason.IP_TOTAL_LENGTH_MISMATCH, "45000029" + good.substring(8));
        assertReason(MalformedReason.IP_BAD_HEADER_CHECKSUM, good.substring(0, 20) + "0a89" + good.substring(24));
    }

    @Test
    void constructorRejectsBadFields() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 19, 0, 0, 0, 64, 6, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 40, 0x10000, 0, 0, 64, 6, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 40, 0, 0, 0x2000, 64, 6, A, B));
        assertThrows(IllegalArgumentException.class,
                () -> new Ipv4Header(0, 40, 0, 0, 0, 64, 6, A, IpAddress.parse("::1")));
    }

    private static void assertReason(MalformedReason expected, String hex) {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        try {
            MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> Ipv4Header.decode(buf));
            assertEquals(expected, e.reason(), e.getMessage());
        } finally {
            buf.release();
        }
    }
}
