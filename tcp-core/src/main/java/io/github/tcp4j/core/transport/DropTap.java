package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;

/**
 * An observer of the segments a {@link SimNetwork} drops, told why. It borrows the buffer: it
 * must not release it, keep it, or move its indices.
 */
@FunctionalInterface
public interface DropTap {

    /** Why a segment was dropped. */
    enum Cause {
        /** No host owns the destination, or no link leads there. */
        UNROUTABLE,
        /** The link direction was partitioned. */
        PARTITION,
        /** The IP packet was larger than the link's MTU. */
        TOO_BIG,
        /** The drop-tail queue was full. */
        QUEUE_FULL,
        /** Random loss. */
        LOSS,
        /** It arrived at a host with no node attached. */
        NO_RECEIVER,
        /** It was still travelling when the network closed. */
        NETWORK_CLOSED
    }

    /** Observes one dropped segment (a copy, for a duplicate or a corrupted packet). */
    void dropped(IpAddress source, IpAddress destination, ByteBuf segment, Cause cause);
}
