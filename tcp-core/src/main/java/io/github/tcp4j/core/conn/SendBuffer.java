package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.PayloadSource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;

/**
 * The bytes the application handed to a connection and the peer has not acknowledged yet: first
 * the sent-but-unacknowledged ones (kept for retransmission), then the unsent ones. Bounded by a
 * capacity (SO_SNDBUF). Bytes are copied in from the application (so the caller keeps its
 * buffer) into chunks from the stack's allocator, held in a ring; the buffer owns the chunks and
 * releases each one when all its bytes are acknowledged, or all at {@link #release()}.
 *
 * <p>Chunks grow with the capacity (a quarter of it, 16 KiB to 1 MiB). A segment borrows its
 * bytes as a {@link PayloadSource} range: the encoder copies them from the chunks straight into
 * the outgoing buffer, summing them for the checksum in the same pass; nothing is sliced, retained
 * or allocated per segment. Bytes once written never change or move (a chunk is never grown, only
 * appended to up to its capacity), so a transport may hand them to a receiver by reference
 * ({@link #holder}) while the sender appends behind them. A cursor remembers the chunk of the last range copied, so finding the
 * next one (usually at or after it) does not walk the chunks from the oldest.
 */
final class SendBuffer implements PayloadSource {

    private static final int MIN_CHUNK = 16 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;

    private int capacity;
    private final ByteBufAllocator alloc;
    private ByteBuf[] ring = new ByteBuf[8];
    private int head;
    private int count;
    private int size;
    /** The chunk the last copy started in, and its first byte's offset from the oldest byte. */
    private int cursorChunk;
    private int cursorStart;
    /** A whole chunk emptied by acknowledgements, kept for the next chunk needed (null: none). */
    private ByteBuf spare;

    SendBuffer(int capacity, ByteBufAllocator alloc) {
        this.capacity = capacity;
        this.alloc = alloc;
    }

    /** Changes the capacity; bytes already held stay even if they exceed it (then nothing more is taken until they drain). */
    void capacity(int bytes) {
        this.capacity = bytes;
    }

    /** Bytes held. */
    int size() {
        return size;
    }

    /** Room left. */
    int free() {
        return Math.max(0, capacity - size);
    }

    /**
     * Copies as many readable bytes of {@code src} as fit, advancing its reader index.
     *
     * @return how many bytes were taken (0 when full)
     */
    int write(ByteBuf src) {
        int n = Math.min(src.readableBytes(), free());
        int left = n;
        while (left > 0) {
            ByteBuf tail = count == 0 ? null : chunk(count - 1);
            if (tail == null || !tail.isWritable()) {
                // a bulk sender (a large write, or much buffered) gets a whole chunk, so segments seldom straddle two;
                // a small one a buffer of its own size (an idle connection holds little)
                int chunkSize = chunkSize();
                int initial = size + n >= chunkSize / 8 ? chunkSize : Math.max(left, 1024);
                if (initial >= chunkSize && spare != null && spare.capacity() == chunkSize && spare.refCnt() == 1) {
                    tail = spare.clear(); // the chunk emptied last: its memory is likely still in the cache
                    spare = null;
                } else {
                    tail = alloc.buffer(Math.min(chunkSize, initial), chunkSize);
                }
                add(tail);
            }
            // never past the chunk's capacity: growing would move its memory, which a receiver may be
            // reading at that moment (a segment's payload goes by reference on an in-memory network)
            int k = Math.min(left, tail.writableBytes());
            tail.writeBytes(src, k);
            left -= k;
        }
        size += n;
        return n;
    }

    /**
     * A new buffer (the caller releases it) holding a copy of bytes {@code offset .. offset + length}
     * counted from the oldest unacknowledged byte.
     */
    ByteBuf slice(int offset, int length) {
        ByteBuf copy = alloc.buffer(length, length);
        try {
            copyTo(offset, length, copy, 0, false);
        } catch (RuntimeException e) {
            copy.release();
            throw e;
        }
        return copy.writerIndex(length);
    }

    /**
     * Copies bytes {@code offset .. offset + length}, counted from the oldest unacknowledged byte,
     * chunk by chunk, summing them when asked; a part that starts at an odd position of the range
     * has its sum byte-swapped (RFC 1071 2(B)).
     */
    @Override
    public long copyTo(int offset, int length, ByteBuf out, int outIndex, boolean sum) {
        return walk(offset, length, Objects.requireNonNull(out, "out"), outIndex, sum);
    }

    /** Sums the range in place, chunk by chunk (see {@link #copyTo}). */
    @Override
    public long sum(int offset, int length) {
        return walk(offset, length, null, 0, true);
    }

    /** Copies the range into {@code out} (summing it when asked), or with {@code out} null only sums it. */
    private long walk(int offset, int length, ByteBuf out, int outIndex, boolean sum) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside 0.." + size);
        }
        if (length == 0) {
            return 0;
        }
        locate(offset);
        int i = cursorChunk;
        long total = 0;
        int done = 0;
        int skip = offset - cursorStart;
        while (done < length) {
            ByteBuf c = chunk(i++);
            int k = Math.min(length - done, c.readableBytes() - skip);
            int from = c.readerIndex() + skip;
            long part = 0;
            if (out == null) {
                part = Checksum.add(0, c, from, k);
            } else if (sum) {
                part = Checksum.copyAndAdd(c, from, out, outIndex + done, k);
            } else {
                out.setBytes(outIndex + done, c, from, k);
            }
            total += (done & 1) == 0 ? part : Checksum.oddPositioned(part);
            done += k;
            skip = 0;
        }
        return total;
    }

    @Override
    public ByteBuf holder(int offset, int length) {
        if (offset < 0 || length <= 0 || offset > size - length) {
            return null;
        }
        locate(offset);
        ByteBuf c = chunk(cursorChunk);
        return offset - cursorStart + length <= c.readableBytes() ? c : null;
    }

    @Override
    public int holderIndex(int offset) {
        locate(offset);
        return chunk(cursorChunk).readerIndex() + offset - cursorStart;
    }

    /** Moves the cursor to the chunk holding byte {@code offset} (0 <= offset < size). */
    private void locate(int offset) {
        int i = 0;
        int start = 0;
        if (cursorChunk < count && offset >= cursorStart) {
            i = cursorChunk;
            start = cursorStart;
        }
        while (offset - start >= chunk(i).readableBytes()) {
            start += chunk(i).readableBytes();
            i++;
        }
        cursorChunk = i;
        cursorStart = start;
    }

    /** Drops the {@code n} oldest bytes (the peer acknowledged them). */
    void remove(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("remove " + n + " of " + size);
        }
        size -= n;
        int removed = n;
        int chunksBefore = count;
        while (n > 0) {
            ByteBuf first = chunk(0);
            int k = Math.min(n, first.readableBytes());
            first.skipBytes(k);
            n -= k;
            if (!first.isReadable() && (!first.isWritable() || count > 1)) {
                retire(removeFirst());
            }
        }
        // The cursor's chunk moves down by the chunks dropped and starts earlier by the bytes
        // dropped (at 0 if it is now the oldest chunk); if it was dropped, start over.
        cursorChunk -= chunksBefore - count;
        cursorStart = Math.max(0, cursorStart - removed);
        if (cursorChunk <= 0) {
            cursorChunk = 0;
            cursorStart = 0;
        }
    }

    /** Releases every chunk; the buffer is empty afterwards. */
    void release() {
        while (count > 0) {
            removeFirst().release();
        }
        if (spare != null) {
            spare.release();
            spare = null;
        }
        size = 0;
        cursorChunk = 0;
        cursorStart = 0;
    }

    /**
     * Keeps a whole chunk whose bytes are all acknowledged as the spare (releasing the previous
     * spare), or releases it. The spare is reused for the next whole chunk once nobody else holds
     * it (a receiver may still read it by reference): writing into memory just read keeps the copy
     * into the send buffer in the processor's cache, as the kernel reuses a socket's page fragment.
     */
    private void retire(ByteBuf chunk) {
        if (chunk.capacity() == chunkSize()) {
            if (spare != null) {
                spare.release();
            }
            spare = chunk;
        } else {
            chunk.release();
        }
    }

    private int chunkSize() {
        return Integer.highestOneBit(Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, capacity / 4)));
    }

    private ByteBuf chunk(int i) {
        return ring[(head + i) & (ring.length - 1)];
    }

    private void add(ByteBuf b) {
        if (count == ring.length) {
            ByteBuf[] bigger = new ByteBuf[ring.length * 2];
            for (int i = 0; i < count; i++) {
                bigger[i] = chunk(i);
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + count) & (ring.length - 1)] = b;
        count++;
    }

    private ByteBuf removeFirst() {
        ByteBuf b = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        count--;
        return b;
    }

    @Override
    public String toString() {
        return "SendBuffer[" + size + "/" + capacity + " bytes in " + count + " chunks]";
    }
}
