package io.github.tcp4j.api;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * A kind of {@link PacketChannel} that {@link PacketChannels#open(String)} can open by name, found
 * with {@link java.util.ServiceLoader}. tcp-api provides {@code udp}; the tcp-tun module (JDK 22+)
 * provides {@code tun}, so a program compiled for JDK 17 can use a TUN device whenever tcp-tun is
 * on the class or module path, without naming a class of it.
 *
 * <p>Implementations have a public no-argument constructor and are listed in
 * {@code META-INF/services/io.github.tcp4j.api.PacketChannelProvider} (and in a {@code provides}
 * clause of their module).
 */
public interface PacketChannelProvider {

    /** The scheme this provider opens: the part of a channel spec before the first colon, e.g. {@code "tun"}. */
    String scheme();

    /**
     * Opens a channel.
     *
     * @param address the spec after the scheme's colon, e.g. {@code "tcp4j0"} for {@code "tun:tcp4j0"}
     * @param alloc where the buffers the channel reads come from
     * @throws IOException if the channel cannot be opened (no such device, no permission...)
     * @throws IllegalArgumentException if {@code address} is not understood
     */
    PacketChannel open(String address, ByteBufAllocator alloc) throws IOException;
}
