package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;

/**
 * Bytes a segment borrows as payload instead of owning a buffer: a connection's send buffer lends
 * the segment a range of its bytes, and the encoder copies them straight into the outgoing buffer
 * (summing them for the checksum on the way). No slice, no reference count, nothing allocated per
 * segment. See {@link TcpSegment#payload(PayloadSource, int, int)}.
 */
public interface PayloadSource {

    /**
     * Copies {@code length} bytes, starting {@code offset} bytes into this source, to {@code out}
     * at absolute index {@code outIndex} (which the caller has made writable; no index of
     * {@code out} moves).
     *
     * @param sum whether to return the checksum sum of the bytes
     * @return with {@code sum}, the unfolded one's complement sum of the bytes as 16-bit big-endian
     *     words counted from the first byte copied (as {@link Checksum#add} returns it); else 0
     * @throws IndexOutOfBoundsException if the range lies outside the source
     */
    long copyTo(int offset, int length, ByteBuf out, int outIndex, boolean sum);

    /**
     * The checksum sum of {@code length} bytes from {@code offset}, counted from the first of them
     * (as {@link Checksum#add} returns it), without copying them.
     */
    long sum(int offset, int length);

    /**
     * The buffer that holds all of the {@code length} bytes from {@code offset}, at
     * {@link #holderIndex(int)}, lent (retain it to keep it; its bytes there never change); null
     * if they span several buffers.
     */
    ByteBuf holder(int offset, int length);

    /** Where in {@link #holder(int, int)}'s buffer the byte at {@code offset} lies. */
    int holderIndex(int offset);
}
