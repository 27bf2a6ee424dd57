package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A heap allocator that remembers every buffer it hands out, so a test can assert that all of
 * them were released exactly once. Copies the network makes ({@code ByteBuf.copy()} for a
 * duplicate or a corrupted packet) come from the original buffer's allocator, so they are tracked
 * too. Buffers are still wrapped for Netty's (paranoid, in tests) leak detector.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf raw = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(raw);
        return toLeakAwareBuffer(raw);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Buffers handed out so far. */
    int allocatedCount() {
        return allocated.size();
    }

    /** Buffers not yet released to a reference count of 0. */
    long unreleasedCount() {
        return allocated.stream().filter(b -> b.refCnt() != 0).count();
    }

    /** Fails unless every buffer handed out has been released. */
    void assertAllReleased() {
        long open = unreleasedCount();
        if (open != 0) {
            fail(open + " of " + allocated.size() + " buffers were never released");
        }
    }
}
