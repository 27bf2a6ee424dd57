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
     * Connects the stack, for transports that hand segments over in batches: {@code inbound} may
     * be called from any thread, as in {@link #open(SegmentReceiver)}, and {@code stackThread}
     * runs tasks on the stack's thread (so a transport can run one task for several segments, and
     * the stack's thread wakes once for them). Once the stack is closed, {@code stackThread}
     * refuses tasks with a {@link RejectedExecutionException}; the transport then releases the
     * segments itself.
     *
     * <p>This is what {@link TcpStack} calls. The default ignores the executor and calls
     * {@link #open(SegmentReceiver)}: no task and no object per segment.
     */
    default SegmentTransport open(SegmentReceiver inbound, Executor stackThread) {
        return open(inbound);
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
