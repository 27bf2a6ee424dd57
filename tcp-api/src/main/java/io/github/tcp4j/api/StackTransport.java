package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where a real-time stack's segments go and come from: an in-memory network, UDP datagrams, a
 * TUN device. The stack opens it once with the receiver that takes arriving segments (which the
 * transport may call from any thread: the stack queues them for whichever thread runs it next),
 * and gets back the {@link SegmentTransport} it sends through (from whichever thread runs the
 * stack, one at a time).
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

    /**
     * True if the transport guarantees that segments arrive exactly as sent and every stack on it
     * skips TCP checksums (a checksum offload, like Linux's loopback): the stack then neither
     * computes nor verifies them. False by default; only {@link InMemoryNetwork#withChecksumOffload()}
     * says true.
     */
    default boolean offloadsChecksums() {
        return false;
    }
}
