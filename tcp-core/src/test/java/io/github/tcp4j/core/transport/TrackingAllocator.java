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
public final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> allocated = new ArrayList<>();

    /** A tracking heap allocator. */
    public TrackingAllocator() {
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
    public int allocatedCount() {
        return allocated.size();
    }

    /** Buffers not yet released to a reference count of 0. */
    public long unreleasedCount() {
        return allocated.stream().filter(b -> b.refCnt() != 0).count();
    }

    /**
     * Releases whatever is still held (after a failed assertion, so that one test's leak does not
     * fail the leak check of the whole run); returns how many buffers that was.
     */
    public int releaseLeftovers() {
        int n = 0;
        for (ByteBuf b : allocated) {
            if (b.refCnt() > 0) {
                b.release(b.refCnt());
                n++;
            }
        }
        return n;
    }

    /** Fails unless every buffer handed out has been released. */
    public void assertAllReleased() {
        long open = unreleasedCount();
        if (open != 0) {
            fail(open + " of " + allocated.size() + " buffers were never released");
        }
    }
}
