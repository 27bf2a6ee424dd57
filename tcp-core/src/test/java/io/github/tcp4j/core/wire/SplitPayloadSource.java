package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * A test {@link PayloadSource}: the bytes of an array split into several buffers at given cut
 * points (odd ones included), each part placed at a chosen absolute index (odd ones included) of
 * its own heap or direct buffer, behind a few junk bytes and followed by a few more. Like a send
 * buffer's chunks: a range may lie in one part ({@link #holder}) or span several, and a part that
 * starts at an odd position of a range has its sum byte-swapped ({@link Checksum#oddPositioned}).
 * Counts how often it was copied from and summed. {@link #close()} releases the parts.
 */
final class SplitPayloadSource implements PayloadSource, AutoCloseable {

    private final ByteBuf[] parts;
    /** Offset (into the source) of each part's first byte; one more entry: the total length. */
    private final int[] starts;
    /** Absolute index of each part's first byte in its buffer. */
    private final int[] indices;
    int copies;
    int sums;

    /**
     * @param data the source's bytes (copied)
     * @param cuts increasing offsets strictly inside {@code 0 .. data.length} where a new part starts
     * @param leads junk bytes before each part (its absolute index), one per part ({@code cuts.length + 1})
     * @param direct direct buffers rather than heap ones
     */
    SplitPayloadSource(byte[] data, int[] cuts, int[] leads, boolean direct) {
        int n = cuts.length + 1;
        if (leads.length != n) {
            throw new IllegalArgumentException("one lead per part: " + Arrays.toString(leads));
        }
        parts = new ByteBuf[n];
        starts = new int[n + 1];
        indices = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = i == 0 ? 0 : cuts[i - 1];
        }
        starts[n] = data.length;
        for (int i = 0; i < n; i++) {
            int len = starts[i + 1] - starts[i];
            if (len < 0) {
                throw new IllegalArgumentException("cuts must increase: " + Arrays.toString(cuts));
            }
            int cap = leads[i] + len + 3;
            ByteBuf b = direct ? Unpooled.directBuffer(cap, cap) : Unpooled.buffer(cap, cap);
            for (int j = 0; j < leads[i]; j++) {
                b.writeByte(0xA5 ^ j);
            }
            b.writeBytes(data, starts[i], len);
            b.writeByte(0x5A).writeByte(0xC3).writeByte(0x3C);
            b.readerIndex(leads[i]);
            parts[i] = b;
            indices[i] = leads[i];
        }
    }

    /** One heap part holding all of {@code data} at index 0. */
    static SplitPayloadSource whole(byte[] data) {
        return new SplitPayloadSource(data, new int[0], new int[] {0}, false);
    }

    int partCount() {
        return parts.length;
    }

    ByteBuf part(int i) {
        return parts[i];
    }

    @Override
    public long copyTo(int offset, int length, ByteBuf out, int outIndex, boolean sum) {
        copies++;
        return walk(offset, length, out, outIndex, sum);
    }

    @Override
    public long sum(int offset, int length) {
        sums++;
        return walk(offset, length, null, 0, true);
    }

    private long walk(int offset, int length, ByteBuf out, int outIndex, boolean sum) {
        int total = starts[parts.length];
        if (offset < 0 || length < 0 || offset > total - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside 0.." + total);
        }
        long result = 0;
        int done = 0;
        for (int i = 0; i < parts.length && done < length; i++) {
            int at = offset + done;
            if (at >= starts[i + 1]) {
                continue;
            }
            int from = indices[i] + at - starts[i];
            int k = Math.min(length - done, starts[i + 1] - at);
            long part;
            if (out == null) {
                part = Checksum.add(0, parts[i], from, k);
            } else if (sum) {
                part = Checksum.copyAndAdd(parts[i], from, out, outIndex + done, k);
            } else {
                out.setBytes(outIndex + done, parts[i], from, k);
                part = 0;
            }
            if (sum) {
                // RFC 1071 2(B): a part starting at an odd position of the range adds byte-swapped
                result += (done & 1) == 0 ? part : Checksum.oddPositioned(part);
            }
            done += k;
        }
        return result;
    }

    @Override
    public ByteBuf holder(int offset, int length) {
        int total = starts[parts.length];
        if (offset < 0 || length <= 0 || offset > total - length) {
            return null;
        }
        int i = partOf(offset);
        return offset + length <= starts[i + 1] ? parts[i] : null;
    }

    @Override
    public int holderIndex(int offset) {
        int i = partOf(offset);
        return indices[i] + offset - starts[i];
    }

    private int partOf(int offset) {
        for (int i = 0; i < parts.length; i++) {
            if (offset < starts[i + 1]) {
                return i;
            }
        }
        throw new IndexOutOfBoundsException("offset " + offset + " past " + starts[parts.length]);
    }

    @Override
    public void close() {
        for (ByteBuf b : parts) {
            b.release();
        }
    }
}
