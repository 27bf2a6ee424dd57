package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where a real-time stack's segments go and come from: an in-memory network, UDP datagrams, a
 * TUN device. The stack opens it once with the receiver that takes arriving segments (which the
 * transport may call from any thread: the stack hands them to its own thread), and gets back the
 * {@link SegmentTransport} it sends through (always from the stack's thread).
 */
public interface StackTransport {

    /** Connects the stack: segments for it go to {@code inbound}; it sends through what this returns. */
    SegmentTransport open(SegmentReceiver inbound);

    /**
     * Connects the stack, for transports that hand segments over in batches: {@code onStackThread}
     * may be called only on the stack's thread, and {@code stackThread} runs tasks there (so a
     * transport can run one task for several segments, and the stack's thread wakes once for
     * them). Once the stack is closed, {@code stackThread} refuses tasks with a
     * {@link RejectedExecutionException}; the transport then releases the segments itself.
     *
     * <p>This is what {@link TcpStack} calls. The default hands each segment over as a task of its
     * own and calls {@link #open(SegmentReceiver)}.
     */
    default SegmentTransport open(SegmentReceiver onStackThread, Executor stackThread) {
        return open((source, destination, segment) -> {
            try {
                stackThread.execute(() -> onStackThread.receive(source, destination, segment));
            } catch (RejectedExecutionException closedStack) {
                segment.release();
            }
        });
    }

    /** Disconnects the stack and frees what the transport holds (called when the stack closes). */
    void close();
}
