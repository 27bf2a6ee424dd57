package io.github.tcp4j.core.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;

/**
 * The bytes the application handed to a connection and the peer has not acknowledged yet: first
 * the sent-but-unacknowledged ones (kept for retransmission), then the unsent ones. Bounded by a
 * capacity (SO_SNDBUF). Bytes are copied in from the application (so the caller keeps its
 * buffer) into chunks from the stack's allocator; the buffer owns the chunks and releases each
 * one when all its bytes are acknowledged, or all at {@link #release()}.
 */
final class SendBuffer {

    private static final int CHUNK = 16 * 1024;

    private int capacity;
    private final ByteBufAllocator alloc;
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
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
            ByteBuf tail = chunks.peekLast();
            if (tail == null || !tail.isWritable()) {
                tail = alloc.buffer(Math.min(CHUNK, Math.max(left, 1024)), CHUNK);
                chunks.addLast(tail);
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
     * from the oldest unacknowledged byte: a retained slice when they lie in one chunk, otherwise a
     * composite of retained slices. Nothing is copied.
     */
    ByteBuf slice(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("slice " + offset + "+" + length + " outside 0.." + size);
        }
        CompositeByteBuf composite = null;
        ByteBuf single = null;
        int skip = offset;
        int left = length;
        for (ByteBuf chunk : chunks) {
            if (left == 0) {
                break;
            }
            int readable = chunk.readableBytes();
            if (skip >= readable) {
                skip -= readable;
                continue;
            }
            int k = Math.min(left, readable - skip);
            ByteBuf part = chunk.retainedSlice(chunk.readerIndex() + skip, k);
            skip = 0;
            left -= k;
            if (single == null && composite == null) {
                single = part;
            } else {
                if (composite == null) {
                    composite = alloc.compositeBuffer(Integer.MAX_VALUE);
                    composite.addComponent(true, single);
                }
                composite.addComponent(true, part);
            }
        }
        if (composite != null) {
            return composite;
        }
        return single != null ? single : alloc.buffer(0);
    }

    /** Drops the {@code n} oldest bytes (the peer acknowledged them). */
    void remove(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("remove " + n + " of " + size);
        }
        size -= n;
        while (n > 0) {
            ByteBuf head = chunks.peekFirst();
            int k = Math.min(n, head.readableBytes());
            head.skipBytes(k);
            n -= k;
            if (!head.isReadable() && (head.maxWritableBytes() == 0 || chunks.size() > 1)) {
                chunks.pollFirst().release();
            }
        }
    }

    /** Releases every chunk; the buffer is empty afterwards. */
    void release() {
        ByteBuf b;
        while ((b = chunks.pollFirst()) != null) {
            b.release();
        }
        size = 0;
    }
}
