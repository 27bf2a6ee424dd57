/**
 * tcp4j API: the socket facade a Java developer touches, built on {@code io.github.tcp4j.core}.
 *
 * <p>The facade ({@code io.github.tcp4j.api}: TcpStack, TcpSocket, TcpServerSocket, drivers and
 * real transports) arrives with the socket API issue and will be exported from here; until then
 * the module exports nothing and only re-exports the core.
 */
module io.github.tcp4j.api {
    requires transitive io.github.tcp4j.core;
    requires org.slf4j;
}
