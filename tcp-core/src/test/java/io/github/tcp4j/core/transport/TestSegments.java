package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/** Encoded segments for network tests: the sequence number carries a tag the test can read back. */
final class TestSegments {

    private TestSegments() {
    }

    /** An ACK segment from port 1000 to 2000 with {@code seq = tag} and {@code payloadLength} zero bytes. */
    static ByteBuf segment(IpAddress src, IpAddress dst, int tag, int payloadLength) {
        TcpSegment s = new TcpSegment().sourcePort(1000).destinationPort(2000).seq(tag).flags(TcpFlags.ACK)
                .window(1000).payload(Unpooled.wrappedBuffer(new byte[payloadLength]));
        ByteBuf out = TcpCodec.encode(s, src, dst, UnpooledByteBufAllocator.DEFAULT);
        s.release();
        return out;
    }

    /** The tag of an encoded segment. */
    static int tag(ByteBuf segment) {
        return segment.getInt(segment.readerIndex() + 4);
    }
}
