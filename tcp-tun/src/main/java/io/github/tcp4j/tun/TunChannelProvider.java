package io.github.tcp4j.tun;

import io.github.tcp4j.api.PacketChannel;
import io.github.tcp4j.api.PacketChannelProvider;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * Makes {@code PacketChannels.open("tun:NAME")} attach to (or create) the TUN interface NAME, so
 * programs built for JDK 17 reach a {@link TunDevice} whenever this module is present (on JDK 22+)
 * without naming it. Registered as a {@link java.util.ServiceLoader} service.
 */
public final class TunChannelProvider implements PacketChannelProvider {

    /** The provider (ServiceLoader calls this). */
    public TunChannelProvider() {
    }

    /** {@code "tun"}. */
    @Override
    public String scheme() {
        return "tun";
    }

    /** Opens the TUN interface named {@code address} with {@link TunDevice#open(String, ByteBufAllocator)}. */
    @Override
    public PacketChannel open(String address, ByteBufAllocator alloc) throws IOException {
        return TunDevice.open(address, alloc);
    }
}
