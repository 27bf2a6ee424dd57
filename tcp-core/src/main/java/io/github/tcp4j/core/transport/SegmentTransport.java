package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;

/**
 * How a TCP stack hands segments to the network below it: the output side of the pluggable
 * segment transport.
 *
 * <p>A segment travels as its encoded bytes (header, options and payload, checksum already
 * computed by {@link io.github.tcp4j.core.wire.TcpCodec}) plus the source and destination IP
 * addresses that its pseudo-header was computed with; the ports are in the header bytes. Both
 * IPv4 and IPv6 addresses are allowed, but not mixed in one segment.
 *
 * <p><b>Ownership:</b> {@link #send} takes over the caller's reference to {@code segment}. The
 * transport releases it exactly once, whether it delivers, queues or drops it; the caller must not
 * touch the buffer afterwards.
 */
@FunctionalInterface
public interface SegmentTransport {

    /**
     * Sends one encoded segment from {@code source} to {@code destination}. Never throws for a
     * segment the network cannot carry (no route, too big, congested): such segments are dropped
     * and counted, as an IP network would.
     */
    void send(IpAddress source, IpAddress destination, ByteBuf segment);

    /**
     * True if this transport takes segments as a header plus a payload by reference
     * ({@link #send(IpAddress, IpAddress, ByteBuf, ByteBuf, int, int)}) without copying them
     * together: an in-memory network whose receiver reads the payload where the sender keeps it
     * (its send buffer, whose bytes never change). A stack then encodes only headers and hands on
     * its send buffer's bytes by reference, sparing a copy of every byte. False by default.
     */
    default boolean carriesPayloadByReference() {
        return false;
    }

    /**
     * Sends a segment given as its encoded header and options ({@code header}, checksum filled in
     * over the whole segment) and its payload, bytes {@code index .. index + length} of
     * {@code payload}. Takes over one reference to each; {@code payload}'s indices are neither read
     * nor moved. The default copies both into one buffer and calls {@link #send(IpAddress, IpAddress, ByteBuf)}.
     */
    default void send(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
        send(source, destination, SegmentParts.join(header, payload, index, length));
    }
}
