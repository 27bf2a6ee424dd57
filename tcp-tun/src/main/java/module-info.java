/**
 * tcp4j TUN: a Linux TUN interface as a {@link io.github.tcp4j.api.PacketChannel}, through
 * {@code java.lang.foreign} (JDK 22+), so a tcp4j stack exchanges IP packets with the kernel.
 * Needs {@code --enable-native-access=io.github.tcp4j.tun}.
 */
module io.github.tcp4j.tun {
    requires io.github.tcp4j.api;

    exports io.github.tcp4j.tun;

    provides io.github.tcp4j.api.PacketChannelProvider with io.github.tcp4j.tun.TunChannelProvider;
}
