package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever bytes arrive, the IPv4 layer neither throws nor loses track: each packet is handed to
 * the stack or answered or counted as exactly one kind of drop, and every buffer is released
 * (the leak check would fail the run otherwise).
 */
class Ipv4PacketTransportProperties {

    private static final IpAddress LOCAL = IpAddress.parse("10.9.0.2");
    private static final IpAddress PEER = IpAddress.parse("10.9.0.1");

    @Property(tries = 20_000)
    void arbitraryBytesHaveExactlyOneFate(@ForAll @Size(max = 80) byte[] bytes, @ForAll boolean plausible) {
        if (plausible && bytes.length > 0) {
            bytes[0] = 0x45; // version 4, IHL 5: the other checks get their turn
        }
        assertOneFate(Unpooled.copiedBuffer(bytes));
    }

    @Property(tries = 20_000)
    void nearValidPacketsHaveExactlyOneFate(@ForAll @IntRange(min = 0, max = 255) int protocol,
            @ForAll @IntRange(min = 0, max = 7) int flags, @ForAll @IntRange(min = 0, max = 3) int offset,
            @ForAll @Size(max = 48) byte[] payload, @ForAll @IntRange(min = -1, max = 511) int flippedBit,
            @ForAll boolean local, @ForAll boolean fixIcmpChecksum) {
        ByteBuf p = Unpooled.buffer();
        int protocolUsed = protocol % 3 == 0 ? 6 : protocol % 3 == 1 ? IcmpEcho.PROTOCOL_ICMP : protocol;
        new Ipv4Header(0, 20 + payload.length, 1, flags, offset, 64, protocolUsed, PEER,
                local ? LOCAL : IpAddress.parse("10.9.0.3")).encode(p);
        p.writeBytes(payload);
        if (protocolUsed == IcmpEcho.PROTOCOL_ICMP && fixIcmpChecksum && payload.length >= 8) {
            p.setByte(20, IcmpEcho.TYPE_ECHO_REQUEST).setByte(21, 0).setShort(22, 0);
            p.setShort(22, Checksum.fold(Checksum.add(0, p, 20, payload.length)));
        }
        if (flippedBit >= 0 && flippedBit / 8 < p.readableBytes()) {
            p.setByte(flippedBit / 8, p.getByte(flippedBit / 8) ^ (1 << (flippedBit % 8)));
        }
        assertOneFate(p);
    }

    private static void assertOneFate(ByteBuf packet) {
        PacketPipe pipe = new PacketPipe();
        Ipv4PacketTransport t = new Ipv4PacketTransport(pipe.a, LOCAL);
        Ipv4PacketTransportTest.Recorder stack = new Ipv4PacketTransportTest.Recorder();
        boolean handedOver = false;
        try {
            handedOver = t.deliver(packet, stack);
        } finally {
            if (!handedOver) {
                packet.release();
            }
        }
        long drops = t.malformed() + t.invalidSource() + t.notLocal() + t.fragments() + t.unsupported();
        assertEquals(1, stack.count + drops + t.echoReplies(), t.toString());
        assertEquals(handedOver ? 1 : 0, stack.count);
        ByteBuf reply = pipe.b.poll();
        assertEquals(t.echoReplies(), reply == null ? 0 : 1);
        if (reply != null) {
            reply.release();
        }
        pipe.a.close();
        pipe.b.close();
    }
}
