package io.github.tcp4j.api;

import io.github.tcp4j.core.conn.CongestionControl;
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

    /**
     * The connection's congestion control algorithm ({@link CongestionControl.Algorithm#CUBIC} by
     * default, or {@link CongestionControl.Algorithm#NEW_RENO}); like Linux's TCP_CONGESTION. Set
     * before connecting it applies from the first segment; later the new algorithm continues from
     * the current congestion window.
     */
    public static final SocketOption<CongestionControl.Algorithm> TCP_CONGESTION = new SocketOption<>() {
        @Override
        public String name() {
            return "TCP_CONGESTION";
        }

        @Override
        public Class<CongestionControl.Algorithm> type() {
            return CongestionControl.Algorithm.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    private TcpSocketOptions() {
    }
}
