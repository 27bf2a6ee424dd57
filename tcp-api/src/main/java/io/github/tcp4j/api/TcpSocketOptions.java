package io.github.tcp4j.api;

import java.net.SocketOption;

/** tcp4j's socket options beyond {@link java.net.StandardSocketOptions}. */
public final class TcpSocketOptions {

    /**
     * RFC 5482's user timeout, in milliseconds (0: off): a connection whose sent data stays
     * unacknowledged this long is given up ("Connection timed out"), long before the retransmission
     * limit would. Like Linux's TCP_USER_TIMEOUT.
     */
    public static final SocketOption<Integer> TCP_USER_TIMEOUT = new SocketOption<>() {
        @Override
        public String name() {
            return "TCP_USER_TIMEOUT";
        }

        @Override
        public Class<Integer> type() {
            return Integer.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    private TcpSocketOptions() {
    }
}
