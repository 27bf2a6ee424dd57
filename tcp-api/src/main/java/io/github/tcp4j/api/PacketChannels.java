package io.github.tcp4j.api;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens {@link PacketChannel}s by name: {@code "tun:tcp4j0"} (a Linux TUN device, when the tcp-tun
 * module is present on JDK 22+) or {@code "udp:9000"} (a {@link UdpPacketChannel}, the end of a
 * socat bridge). The names are handy on command lines; code that knows its channel can construct
 * it directly.
 *
 * <ul>
 *   <li>{@code udp:[HOST:]PORT} binds HOST (default 127.0.0.1) and PORT, and answers whoever sent
 *       last;</li>
 *   <li>{@code udp:[HOST:]PORT,PEERHOST:PEERPORT} also sends to the given peer from the start.</li>
 *   <li>{@code tun:NAME} attaches to (or creates) the TUN interface NAME.</li>
 * </ul>
 */
public final class PacketChannels {

    private PacketChannels() {
    }

    /** Opens the channel {@code spec} names, with Netty's default allocator. */
    public static PacketChannel open(String spec) throws IOException {
        return open(spec, ByteBufAllocator.DEFAULT);
    }

    /**
     * Opens the channel {@code spec} names.
     *
     * @throws IOException if the channel cannot be opened, or no provider knows the scheme (the
     *     message lists the schemes available)
     * @throws IllegalArgumentException if the spec has no scheme or its address is not understood
     */
    public static PacketChannel open(String spec, ByteBufAllocator alloc) throws IOException {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a channel spec is SCHEME:ADDRESS, e.g. tun:tcp4j0 or udp:9000: " + spec);
        }
        String scheme = spec.substring(0, colon);
        String address = spec.substring(colon + 1);
        if (scheme.equals("udp")) {
            return openUdp(address, alloc);
        }
        List<String> known = new ArrayList<>(List.of("udp"));
        for (PacketChannelProvider p : ServiceLoader.load(PacketChannelProvider.class, PacketChannels.class.getClassLoader())) {
            if (p.scheme().equals(scheme)) {
                return p.open(address, alloc);
            }
            known.add(p.scheme());
        }
        throw new IOException("no packet channel provider for '" + scheme + "' (available: " + known
                + (scheme.equals("tun") ? "; tun needs the tcp-tun module on the class path and JDK 22+" : "") + ")");
    }

    private static PacketChannel openUdp(String address, ByteBufAllocator alloc) {
        int comma = address.indexOf(',');
        InetSocketAddress bind = socketAddress(comma < 0 ? address : address.substring(0, comma), "127.0.0.1");
        InetSocketAddress peer = comma < 0 ? null : socketAddress(address.substring(comma + 1), null);
        return new UdpPacketChannel(bind, peer, alloc);
    }

    private static InetSocketAddress socketAddress(String text, String defaultHost) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? defaultHost : text.substring(0, colon);
        if (host == null) {
            throw new IllegalArgumentException("HOST:PORT expected: " + text);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad UDP address '" + text + "': " + e.getMessage(), e);
        }
    }
}
