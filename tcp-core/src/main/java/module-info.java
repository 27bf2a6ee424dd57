/**
 * tcp4j core: the TCP protocol itself, sans-I/O.
 *
 * <p>No threads, no sockets, no wall clock: input is the bytes of a segment, a user call or
 * "now" from a {@link io.github.tcp4j.core.timer.Clock}; output is segments handed to a
 * {@link io.github.tcp4j.core.transport.SegmentTransport}.
 */
module io.github.tcp4j.core {
    requires transitive io.netty.buffer;
    requires io.netty.common;
    requires org.slf4j;

    exports io.github.tcp4j.core.wire;
    exports io.github.tcp4j.core.timer;
    exports io.github.tcp4j.core.transport;
    exports io.github.tcp4j.core.pcap;
    exports io.github.tcp4j.core.host;
    exports io.github.tcp4j.core.fsm;
    exports io.github.tcp4j.core.conn;
}
