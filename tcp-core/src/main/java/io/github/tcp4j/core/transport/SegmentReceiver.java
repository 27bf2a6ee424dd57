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

    /**
     * One segment arrived as a header part and a payload by reference, bytes
     * {@code index .. index + length} of {@code payload} (see
     * {@link SegmentTransport#carriesPayloadByReference()}); takes over one reference to each and
     * must not change {@code payload}'s indices or bytes. The default copies both into one buffer
     * and calls {@link #receive(IpAddress, IpAddress, ByteBuf)}.
     */
    default void receive(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
        receive(source, destination, SegmentParts.join(header, payload, index, length));
    }
}
