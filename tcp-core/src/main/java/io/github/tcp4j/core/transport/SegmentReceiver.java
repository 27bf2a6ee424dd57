package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;

/**
 * How the network hands an arriving segment to a TCP stack: the input side of the segment
 * transport.
 *
 * <p><b>Ownership:</b> the receiver takes over the reference to {@code segment} and must release it
 * exactly once (typically after decoding it; a decoded segment's payload is a retained slice, so
 * the receiver may release the raw buffer at once and keep the payload).
 *
 * <p>The bytes have not been checked: a corrupting link delivers them as corrupted, and the
 * receiver's checksum verification is what catches it.
 */
@FunctionalInterface
public interface SegmentReceiver {

    /** One segment arrived, addressed from {@code source} to {@code destination}. */
    void receive(IpAddress source, IpAddress destination, ByteBuf segment);
}
