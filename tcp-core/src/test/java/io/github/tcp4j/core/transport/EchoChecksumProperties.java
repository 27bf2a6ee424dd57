package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The two checksum facts the simulated network's tests lean on: the {@link EchoNode} may swap
 * addresses and ports without recomputing the checksum, and a corrupting link's single bit flip is
 * always caught by the receiver.
 */
class EchoChecksumProperties {

    @Property(tries = 300)
    void swappingAddressesAndPortsKeepsTheChecksumValid(@ForAll("addressPairs") IpAddress[] pair,
            @ForAll @IntRange(min = 0, max = 65535) int sourcePort, @ForAll @IntRange(min = 0, max = 65535) int destinationPort,
            @ForAll @Size(max = 600) byte[] payload) {
        ByteBuf wire = encode(pair[0], pair[1], sourcePort, destinationPort, payload);
        try {
            assertEquals(0, Checksum.tcp(pair[0], pair[1], wire, 0, wire.readableBytes()));
            wire.setShort(0, destinationPort);
            wire.setShort(2, sourcePort);
            // One's complement addition is commutative: the same words summed in another order.
            assertEquals(0, Checksum.tcp(pair[1], pair[0], wire, 0, wire.readableBytes()));
        } finally {
            wire.release();
        }
    }

    @Property(tries = 100)
    void everySingleBitFlipIsCaught(@ForAll("addressPairs") IpAddress[] pair, @ForAll @Size(max = 64) byte[] payload) {
        ByteBuf wire = encode(pair[0], pair[1], 40000, 80, payload);
        try {
            for (int bit = 0; bit < wire.readableBytes() * 8; bit++) {
                int index = bit / 8;
                int mask = 1 << (bit % 8);
                wire.setByte(index, wire.getByte(index) ^ mask);
                assertNotEquals(0, Checksum.tcp(pair[0], pair[1], wire, 0, wire.readableBytes()), "bit " + bit);
                wire.setByte(index, wire.getByte(index) ^ mask);
            }
        } finally {
            wire.release();
        }
    }

    private static ByteBuf encode(IpAddress source, IpAddress destination, int sourcePort, int destinationPort,
            byte[] payload) {
        TcpSegment s = new TcpSegment().sourcePort(sourcePort).destinationPort(destinationPort).seq(payload.length * 977)
                .ack(12345).flags(TcpFlags.ACK | TcpFlags.PSH).window(4096).payload(Unpooled.wrappedBuffer(payload));
        try {
            return TcpCodec.encode(s, source, destination, UnpooledByteBufAllocator.DEFAULT);
        } finally {
            s.release();
        }
    }

    @Provide
    Arbitrary<IpAddress[]> addressPairs() {
        Arbitrary<IpAddress[]> v4 = Arbitraries.integers().tuple2()
                .map(t -> new IpAddress[] {IpAddress.v4(t.get1()), IpAddress.v4(t.get2())});
        Arbitrary<IpAddress[]> v6 = Arbitraries.longs().tuple4()
                .map(t -> new IpAddress[] {IpAddress.v6(t.get1(), t.get2()), IpAddress.v6(t.get3(), t.get4())});
        return Arbitraries.oneOf(v4, v6);
    }
}
