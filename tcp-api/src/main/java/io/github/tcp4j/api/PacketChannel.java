package io.github.tcp4j.api;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;
import java.io.IOException;

/**
 * A source and sink of whole IP packets: a Linux TUN device, the file descriptor an Android
 * {@code VpnService} gives, a UDP socket carrying one packet per datagram. What a packet holds
 * (IPv4 header, TCP segment, ICMP message) is not the channel's business: an
 * {@link Ipv4PacketTransport} on top of it wraps and unwraps segments.
 *
 * <h2>Buffer ownership</h2>
 * <ul>
 *   <li>{@link #read()} and {@link #tryRead()} return a buffer the <b>caller</b> owns: exactly one packet between its
 *       reader and writer index, to be released by the caller when done.</li>
 *   <li>{@link #write(ByteBuf)} takes over the buffer: the <b>channel</b> releases it, whether the
 *       packet went out, was dropped, or the write failed.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * One thread reads (it may block in {@link #read()} for as long as no packet comes, and calls
 * {@link #tryRead()}); any thread
 * may write, and each {@link #write} puts one whole packet on the wire, never interleaved with
 * another. {@link #close()} may be called from any thread and makes a blocked {@link #read()}
 * return {@code null}.
 */
public interface PacketChannel extends Closeable {

    /**
     * Blocks until one packet arrives and returns it (the caller releases it).
     *
     * @return the packet, or {@code null} once the channel is closed or the stream behind it ended
     * @throws IOException if reading fails for another reason
     */
    ByteBuf read() throws IOException;

    /**
     * Returns a packet if one is waiting, at once, without blocking; {@code null} if none is (or
     * the channel is closed). Lets a reader take everything that queued up while it was busy and
     * hand it on in one go. The default says none is waiting, so only {@link #read()} delivers.
     */
    default ByteBuf tryRead() throws IOException {
        return null;
    }

    /**
     * Sends one whole packet: the readable bytes of {@code packet}. The channel releases
     * {@code packet} in every case.
     *
     * @throws IOException if the packet could not be handed to the device or socket (it is then
     *     lost, as on a network); a closed channel drops the packet silently instead
     */
    void write(ByteBuf packet) throws IOException;

    /** Closes the channel: a blocked {@link #read()} returns {@code null}, later writes are dropped. Idempotent. */
    @Override
    void close() throws IOException;
}
