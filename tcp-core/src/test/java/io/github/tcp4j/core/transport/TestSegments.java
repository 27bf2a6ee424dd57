package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/** Encoded segments for network tests: the sequence number carries a tag the test can read back. */
final class TestSegments {

    private TestSegments() {
    }

    /** An ACK segment from port 1000 to 2000 with {@code seq = tag} and {@code payloadLength} bytes. */
    static ByteBuf segment(IpAddress src, IpAddress dst, int tag, int payloadLength) {
        return segment(UnpooledByteBufAllocator.DEFAULT, src, dst, tag, payloadLength);
    }

    /**
     * The same segment, encoded into a buffer from {@code alloc} (e.g. a {@link TrackingAllocator}).
     * The payload bytes derive from the tag, so different segments differ beyond their header.
     * The caller owns the result.
     */
    static ByteBuf segment(ByteBufAllocator alloc, IpAddress src, IpAddress dst, int tag, int payloadLength) {
        byte[] payload = new byte[payloadLength];
        for (int i = 0; i < payloadLength; i++) {
            payload[i] = (byte) (tag * 31 + i * 7);
        }
        TcpSegment s = new TcpSegment().sourcePort(1000).destinationPort(2000).seq(tag).flags(TcpFlags.ACK)
                .window(1000).payload(Unpooled.wrappedBuffer(payload));
        ByteBuf out = TcpCodec.encode(s, src, dst, alloc);
        s.release();
        return out;
    }

    /** The tag of an encoded segment. */
    static int tag(ByteBuf segment) {
        return segment.getInt(segment.readerIndex() + 4);
    }

    /** True when the segment is at least a bare header and its TCP checksum verifies. */
    static boolean checksumOk(IpAddress src, IpAddress dst, ByteBuf segment) {
        return segment.readableBytes() >= TcpSegment.MIN_HEADER_LENGTH
                && Checksum.tcp(src, dst, segment, segment.readerIndex(), segment.readableBytes()) == 0;
    }
}
