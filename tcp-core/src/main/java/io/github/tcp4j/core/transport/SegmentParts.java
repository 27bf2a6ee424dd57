package io.github.tcp4j.core.transport;

import io.netty.buffer.ByteBuf;

/** Joins a segment given as header and payload by reference into one buffer (the defaults of the SPI's split forms). */
final class SegmentParts {

    private SegmentParts() {
    }

    /**
     * A new buffer with {@code header}'s readable bytes then bytes {@code index .. index + length}
     * of {@code payload}; releases both inputs, whatever happens.
     */
    static ByteBuf join(ByteBuf header, ByteBuf payload, int index, int length) {
        ByteBuf whole = null;
        try {
            whole = header.alloc().buffer(header.readableBytes() + length);
            whole.writeBytes(header, header.readerIndex(), header.readableBytes()).writeBytes(payload, index, length);
            ByteBuf joined = whole;
            whole = null;
            return joined;
        } finally {
            if (whole != null) {
                whole.release(); // the copy failed (a range outside the payload): nothing leaks
            }
            header.release();
            payload.release();
        }
    }
}
