package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;

/**
 * An observer of segments passing through a transport, e.g. a
 * {@link io.github.tcp4j.core.pcap.PcapWriter} plugged in as {@code pcap::writeSegment}.
 *
 * <p>The tap only borrows {@code segment}: it must not release it, keep it, or move its indices.
 */
@FunctionalInterface
public interface SegmentTap {

    /** Observes one segment. */
    void tap(IpAddress source, IpAddress destination, ByteBuf segment);
}
