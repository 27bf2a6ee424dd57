/**
 * tcp4j API: the socket facade a Java developer touches, built on {@code io.github.tcp4j.core}:
 * {@link io.github.tcp4j.api.TcpStack}, {@link io.github.tcp4j.api.TcpSocket},
 * {@link io.github.tcp4j.api.TcpServerSocket}, the drivers that run a stack in real time (an event
 * loop thread) or virtual time (a simulated network), and transports, among them the IPv4 layer
 * over packet channels ({@link io.github.tcp4j.api.PacketChannel}).
 */
module io.github.tcp4j.api {
    requires transitive io.github.tcp4j.core;
    requires org.slf4j;

    exports io.github.tcp4j.api;

    uses io.github.tcp4j.api.PacketChannelProvider;
}
