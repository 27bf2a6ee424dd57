package io.github.tcp4j.core.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The bytes the application handed to a connection and the peer has not acknowledged yet: first
 * the sent-but-unacknowledged ones (kept for retransmission), then the unsent ones. Bounded by a
 * capacity (SO_SNDBUF). Bytes are copied in from the application (so the caller keeps its
 * buffer) into chunks from the stack's allocator, held in a ring; the buffer owns the chunks and
 * releases each one when all its bytes are acknowledged, or all at {@link #release()}.
 *
 * <p>Chunks grow with the capacity (a sixteenth of it, 16 KiB to 512 KiB), so most segments lie
 * within one chunk and go out as a retained slice, with no copy and no garbage.
 */
final class SendBuffer {

    private static final int MIN_CHUNK = 16 * 1024;
    private static final int MAX_CHUNK = 512 * 1024;

    private int capacity;
    private final ByteBufAllocator alloc;
    private ByteBuf[] ring = new ByteBuf[8];
    private int head;
    private int count;
    private int size;

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
                int chunkSize = chunkSize();
                tail = alloc.buffer(Math.min(chunkSize, Math.max(left, 1024)), chunkSize);
                add(tail);
            }
            int k = Math.min(left, tail.maxWritableBytes());
            tail.writeBytes(src, k);
            left -= k;
        }
        size += n;
        return n;
    }

    /**
     * A new buffer (the caller releases it) holding bytes {@code offset .. offset + length} counted
     * from the oldest unacknowledged byte: a retained slice when they lie in one chunk (no copy),
     * otherwise a buffer from the allocator with the bytes copied in.
     */
    ByteBuf slice(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("slice " + offset + "+" + length + " outside 0.." + size);
        }
        int i = 0;
        int skip = offset;
        while (i < count && skip >= chunk(i).readableBytes()) {
            skip -= chunk(i).readableBytes();
            i++;
        }
        if (length == 0 || i == count) {
            return alloc.buffer(0);
        }
        ByteBuf first = chunk(i);
        if (skip + length <= first.readableBytes()) {
            return first.retainedSlice(first.readerIndex() + skip, length);
        }
        ByteBuf copy = alloc.buffer(length, length);
        int left = length;
        for (; left > 0; i++) {
            ByteBuf c = chunk(i);
            int k = Math.min(left, c.readableBytes() - skip);
            copy.writeBytes(c, c.readerIndex() + skip, k);
            skip = 0;
            left -= k;
        }
        return copy;
    }

    /** Drops the {@code n} oldest bytes (the peer acknowledged them). */
    void remove(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("remove " + n + " of " + size);
        }
        size -= n;
        while (n > 0) {
            ByteBuf first = chunk(0);
            int k = Math.min(n, first.readableBytes());
            first.skipBytes(k);
            n -= k;
            if (!first.isReadable() && (first.maxWritableBytes() == 0 || count > 1)) {
                removeFirst().release();
            }
        }
    }

    /** Releases every chunk; the buffer is empty afterwards. */
    void release() {
        while (count > 0) {
            removeFirst().release();
        }
        size = 0;
    }

    private int chunkSize() {
        return Integer.highestOneBit(Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, capacity / 16)));
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
