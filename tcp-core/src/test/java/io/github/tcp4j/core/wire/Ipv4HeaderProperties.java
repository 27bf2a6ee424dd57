package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class Ipv4HeaderProperties {

    @Property(tries = 2000)
    void decodeOfEncodeIsIdentity(@ForAll @IntRange(min = 0, max = 255) int tos,
            @ForAll @IntRange(min = 20, max = 120) int totalLength, @ForAll @IntRange(min = 0, max = 65535) int id,
            @ForAll @IntRange(min = 0, max = 7) int flags, @ForAll @IntRange(min = 0, max = 8191) int offset,
            @ForAll @IntRange(min = 0, max = 255) int ttl, @ForAll @IntRange(min = 0, max = 255) int protocol,
            @ForAll int src, @ForAll int dst) throws Exception {
        Ipv4Header h = new Ipv4Header(tos, totalLength, id, flags, offset, ttl, protocol, IpAddress.v4(src), IpAddress.v4(dst));
        ByteBuf buf = Unpooled.buffer();
        try {
            h.encode(buf);
            buf.writeZero(totalLength - 20);
            assertEquals(h, Ipv4Header.decode(buf));
        } finally {
            buf.release();
        }
    }

    @Property(tries = 50_000)
    void arbitraryBytesDecodeToAHeaderOrATypedError(@ForAll @Size(max = 64) byte[] bytes, @ForAll boolean plausible) {
        if (plausible && bytes.length > 0) {
            bytes[0] = (byte) (0x40 | (bytes[0] & 0x0F)); // version 4, so the later checks are reached
        }
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            Ipv4Header.decode(buf);
        } catch (MalformedPacketException e) {
            assertTrue(e.reason().name().startsWith("IP_"), e.getMessage());
        } finally {
            assertEquals(0, buf.readerIndex());
            buf.release();
        }
    }

    @Property(tries = 5000)
    void anyOneBitFlipInTheHeaderIsDetected(@ForAll int src, @ForAll int dst, @ForAll @IntRange(min = 0, max = 65535) int id,
            @ForAll @IntRange(min = 0, max = 159) int bit) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Ipv4Header.forTcp(IpAddress.v4(src), IpAddress.v4(dst), 20, id).encode(buf);
            buf.writeZero(20);
            buf.setByte(bit / 8, buf.getByte(bit / 8) ^ (1 << (bit % 8)));
            assertThrows(MalformedPacketException.class, () -> Ipv4Header.decode(buf));
        } finally {
            buf.release();
        }
    }
}
