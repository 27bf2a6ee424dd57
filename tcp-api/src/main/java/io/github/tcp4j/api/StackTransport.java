package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;

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
