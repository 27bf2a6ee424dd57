package io.github.tcp4j.core.conn;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one TCP stack and its connections, immutable, made with {@link #builder()}.
 * Every default is the RFC's value or, where the RFC leaves a range, what Linux uses; each
 * setter's Javadoc says which.
 */
public final class TcpConfig {

    private static final TcpConfig DEFAULTS = builder().build();

    private final long mslNanos;
    private final boolean rfc1337Protection;
    private final int timeWaitCapacity;
    private final boolean timeWaitEvictOldest;
    private final long finWait2TimeoutNanos;
    private final int synRetries;
    private final int synAckRetries;
    private final int dataRetries;
    private final long initialRtoNanos;
    private final long minRtoNanos;
    private final long maxRtoNanos;
    private final int sendBufferSize;
    private final int receiveBufferSize;
    private final int mtu;
    private final boolean windowScaling;
    private final boolean timestamps;
    private final int challengeAckLimitPerSecond;
    private final long dupAckIntervalNanos;
    private final long userTimeoutNanos;
    private final boolean keepAlive;
    private final long keepAliveIdleNanos;
    private final long keepAliveIntervalNanos;
    private final int keepAliveCount;
    private final int synBacklog;
    private final int ephemeralLow;
    private final int ephemeralHigh;
    private final CongestionControl.Algorithm congestionControl;
    private final boolean sack;
    private final long delayedAckNanos;
    private final boolean noDelay;
    private final int initialWindowSegments;
    private final int r1Retries;

    private TcpConfig(Builder b) {
        this.mslNanos = b.mslNanos;
        this.rfc1337Protection = b.rfc1337Protection;
        this.timeWaitCapacity = b.timeWaitCapacity;
        this.timeWaitEvictOldest = b.timeWaitEvictOldest;
        this.finWait2TimeoutNanos = b.finWait2TimeoutNanos;
        this.synRetries = b.synRetries;
        this.synAckRetries = b.synAckRetries;
        this.dataRetries = b.dataRetries;
        this.initialRtoNanos = b.initialRtoNanos;
        this.minRtoNanos = b.minRtoNanos;
        this.maxRtoNanos = b.maxRtoNanos;
        this.sendBufferSize = b.sendBufferSize;
        this.receiveBufferSize = b.receiveBufferSize;
        this.mtu = b.mtu;
        this.windowScaling = b.windowScaling;
        this.timestamps = b.timestamps;
        this.challengeAckLimitPerSecond = b.challengeAckLimitPerSecond;
        this.dupAckIntervalNanos = b.dupAckIntervalNanos;
        this.userTimeoutNanos = b.userTimeoutNanos;
        this.keepAlive = b.keepAlive;
        this.keepAliveIdleNanos = b.keepAliveIdleNanos;
        this.keepAliveIntervalNanos = b.keepAliveIntervalNanos;
        this.keepAliveCount = b.keepAliveCount;
        this.synBacklog = b.synBacklog;
        this.ephemeralLow = b.ephemeralLow;
        this.ephemeralHigh = b.ephemeralHigh;
        this.congestionControl = b.congestionControl;
        this.sack = b.sack;
        this.delayedAckNanos = b.delayedAckNanos;
        this.noDelay = b.noDelay;
        this.initialWindowSegments = b.initialWindowSegments;
        this.r1Retries = b.r1Retries;
    }

    /** The defaults. */
    public static TcpConfig defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mslNanos = mslNanos;
        b.rfc1337Protection = rfc1337Protection;
        b.timeWaitCapacity = timeWaitCapacity;
        b.timeWaitEvictOldest = timeWaitEvictOldest;
        b.finWait2TimeoutNanos = finWait2TimeoutNanos;
        b.synRetries = synRetries;
        b.synAckRetries = synAckRetries;
        b.dataRetries = dataRetries;
        b.initialRtoNanos = initialRtoNanos;
        b.minRtoNanos = minRtoNanos;
        b.maxRtoNanos = maxRtoNanos;
        b.sendBufferSize = sendBufferSize;
        b.receiveBufferSize = receiveBufferSize;
        b.mtu = mtu;
        b.windowScaling = windowScaling;
        b.timestamps = timestamps;
        b.challengeAckLimitPerSecond = challengeAckLimitPerSecond;
        b.dupAckIntervalNanos = dupAckIntervalNanos;
        b.userTimeoutNanos = userTimeoutNanos;
        b.keepAlive = keepAlive;
        b.keepAliveIdleNanos = keepAliveIdleNanos;
        b.keepAliveIntervalNanos = keepAliveIntervalNanos;
        b.keepAliveCount = keepAliveCount;
        b.synBacklog = synBacklog;
        b.ephemeralLow = ephemeralLow;
        b.ephemeralHigh = ephemeralHigh;
        b.congestionControl = congestionControl;
        b.sack = sack;
        b.delayedAckNanos = delayedAckNanos;
        b.noDelay = noDelay;
        b.initialWindowSegments = initialWindowSegments;
        b.r1Retries = r1Retries;
        return b;
    }

    /** MSL, the maximum segment lifetime; TIME-WAIT lasts twice this. */
    public long mslNanos() {
        return mslNanos;
    }

    /** 2MSL: how long a connection stays in TIME-WAIT. */
    public long twoMslNanos() {
        return 2 * mslNanos;
    }

    /** True when a RST in TIME-WAIT is ignored (RFC 1337). */
    public boolean rfc1337Protection() {
        return rfc1337Protection;
    }

    /** Most TIME-WAIT records held at once (Linux's tcp_max_tw_buckets). */
    public int timeWaitCapacity() {
        return timeWaitCapacity;
    }

    /** True when a full TIME-WAIT table evicts its oldest record; false when it refuses the new one. */
    public boolean timeWaitEvictOldest() {
        return timeWaitEvictOldest;
    }

    /** How long an orphaned FIN-WAIT-2 waits for the peer's FIN (Linux's tcp_fin_timeout). */
    public long finWait2TimeoutNanos() {
        return finWait2TimeoutNanos;
    }

    /** Retransmissions of a SYN before connect() fails with "timed out" (Linux's tcp_syn_retries). */
    public int synRetries() {
        return synRetries;
    }

    /** Retransmissions of a SYN,ACK before a half-open connection is dropped (Linux's tcp_synack_retries). */
    public int synAckRetries() {
        return synAckRetries;
    }

    /** Retransmissions of data or FIN before the connection times out: R2 of RFC 9293 3.8.3 (Linux's tcp_retries2). */
    public int dataRetries() {
        return dataRetries;
    }

    /** The retransmission timeout before any RTT measurement (RFC 6298 2.1: 1 s). */
    public long initialRtoNanos() {
        return initialRtoNanos;
    }

    /** The smallest retransmission timeout (RFC 6298 2.4 says 1 s; Linux uses 200 ms). */
    public long minRtoNanos() {
        return minRtoNanos;
    }

    /** The largest retransmission timeout (RFC 6298 2.5: at least 60 s; Linux uses 120 s). */
    public long maxRtoNanos() {
        return maxRtoNanos;
    }

    /** Bytes the send buffer holds (unsent plus unacknowledged): SO_SNDBUF. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /** Bytes the receive buffer holds (in order plus out of order): SO_RCVBUF, the largest window offered. */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /** The path MTU the stack assumes; our MSS is this minus the IP and TCP headers. */
    public int mtu() {
        return mtu;
    }

    /** True when the window scale option is offered (RFC 7323 section 2). */
    public boolean windowScaling() {
        return windowScaling;
    }

    /** True when the timestamps option is offered (RFC 7323 section 3). */
    public boolean timestamps() {
        return timestamps;
    }

    /** Challenge ACKs sent per second at most, for the whole stack (RFC 5961 section 7; Linux's tcp_challenge_ack_limit). */
    public int challengeAckLimitPerSecond() {
        return challengeAckLimitPerSecond;
    }

    /** The least time between two ACKs a connection sends for unacceptable segments (Linux's tcp_invalid_ratelimit). */
    public long dupAckIntervalNanos() {
        return dupAckIntervalNanos;
    }

    /** RFC 5482's user timeout: how long sent data may stay unacknowledged before the connection is given up; 0: off (R2 applies). */
    public long userTimeoutNanos() {
        return userTimeoutNanos;
    }

    /** True when connections send keep-alive probes by default (SO_KEEPALIVE; off, as RFC 9293 3.8.4 says). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Idle time before the first keep-alive probe (Linux's tcp_keepalive_time, 2 hours; RFC 9293 3.8.4: at least 2 hours). */
    public long keepAliveIdleNanos() {
        return keepAliveIdleNanos;
    }

    /** Time between unanswered keep-alive probes (Linux's tcp_keepalive_intvl, 75 s). */
    public long keepAliveIntervalNanos() {
        return keepAliveIntervalNanos;
    }

    /** Unanswered probes before the connection is given up (Linux's tcp_keepalive_probes, 9). */
    public int keepAliveCount() {
        return keepAliveCount;
    }

    /** Half-open connections (SYN-RECEIVED) a listener holds at most (Linux's tcp_max_syn_backlog). */
    public int synBacklog() {
        return synBacklog;
    }

    /** Lowest ephemeral port. */
    public int ephemeralLow() {
        return ephemeralLow;
    }

    /** Highest ephemeral port. */
    public int ephemeralHigh() {
        return ephemeralHigh;
    }

    /** The congestion control each new connection starts with (default CUBIC, RFC 9438, as Linux). */
    public CongestionControl.Algorithm congestionControl() {
        return congestionControl;
    }

    /** True when connections offer and use selective acknowledgments (RFC 2018, RFC 6675; default on). */
    public boolean sack() {
        return sack;
    }

    /** The longest an ACK of in-order data waits for a second segment or data to ride on (RFC 1122 4.2.3.2; default 40 ms, Linux's minimum; 0: no delay). */
    public long delayedAckNanos() {
        return delayedAckNanos;
    }

    /** True when Nagle's algorithm is off for new connections (TCP_NODELAY; default false: Nagle on, RFC 9293 3.7.4). */
    public boolean noDelay() {
        return noDelay;
    }

    /** The initial congestion window in segments (default 10, RFC 6928, as Linux). */
    public int initialWindowSegments() {
        return initialWindowSegments;
    }

    /** R1 of RFC 9293 3.8.3: retransmissions of one segment after which the connection is reported as struggling (default 3). */
    public int r1Retries() {
        return r1Retries;
    }

    /** Builds a {@link TcpConfig}; every setter checks its argument. */
    public static final class Builder {
        private long mslNanos = Duration.ofSeconds(30).toNanos();
        private boolean rfc1337Protection = true;
        private int timeWaitCapacity = 262_144;
        private boolean timeWaitEvictOldest = true;
        private long finWait2TimeoutNanos = Duration.ofSeconds(60).toNanos();
        private int synRetries = 6;
        private int synAckRetries = 5;
        private int dataRetries = 15;
        private long initialRtoNanos = Duration.ofSeconds(1).toNanos();
        private long minRtoNanos = Duration.ofMillis(200).toNanos();
        private long maxRtoNanos = Duration.ofSeconds(120).toNanos();
        private int sendBufferSize = 256 * 1024;
        private int receiveBufferSize = 256 * 1024;
        private int mtu = 1500;
        private boolean windowScaling = true;
        private boolean timestamps = true;
        private int challengeAckLimitPerSecond = 1000;
        private long dupAckIntervalNanos = Duration.ofMillis(500).toNanos();
        private long userTimeoutNanos;
        private boolean keepAlive;
        private long keepAliveIdleNanos = Duration.ofHours(2).toNanos();
        private long keepAliveIntervalNanos = Duration.ofSeconds(75).toNanos();
        private int keepAliveCount = 9;
        private int synBacklog = 256;
        private int ephemeralLow = 49152;
        private int ephemeralHigh = 65535;
        private CongestionControl.Algorithm congestionControl = CongestionControl.Algorithm.CUBIC;
        private boolean sack = true;
        private long delayedAckNanos = Duration.ofMillis(40).toNanos();
        private boolean noDelay = false;
        private int initialWindowSegments = 10;
        private int r1Retries = 3;

        private Builder() {
        }

        /** MSL (default 30 s, so 2MSL = 60 s as in Linux; RFC 9293 3.4.2 suggests 2 minutes). */
        public Builder msl(Duration msl) {
            this.mslNanos = positive("msl", msl);
            return this;
        }

        /** Ignore RSTs in TIME-WAIT (RFC 1337, default true); false follows RFC 9293 and closes. */
        public Builder rfc1337Protection(boolean on) {
            this.rfc1337Protection = on;
            return this;
        }

        /** Most TIME-WAIT records (default 262,144, Linux's default for a large machine). */
        public Builder timeWaitCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("timeWaitCapacity must be >= 1: " + capacity);
            }
            this.timeWaitCapacity = capacity;
            return this;
        }

        /** When the TIME-WAIT table is full: evict the oldest (true, default) or refuse the new one (false). */
        public Builder timeWaitEvictOldest(boolean evict) {
            this.timeWaitEvictOldest = evict;
            return this;
        }

        /** How long an orphaned FIN-WAIT-2 waits (default 60 s, Linux's tcp_fin_timeout). */
        public Builder finWait2Timeout(Duration timeout) {
            this.finWait2TimeoutNanos = positive("finWait2Timeout", timeout);
            return this;
        }

        /** SYN retransmissions before "timed out" (default 6, about 127 s with a 1 s initial RTO). */
        public Builder synRetries(int n) {
            this.synRetries = nonNegative("synRetries", n);
            return this;
        }

        /** SYN,ACK retransmissions before a half-open connection is dropped (default 5). */
        public Builder synAckRetries(int n) {
            this.synAckRetries = nonNegative("synAckRetries", n);
            return this;
        }

        /** Data and FIN retransmissions before "timed out" (default 15, over 100 s as RFC 9293 3.8.3 asks of R2). */
        public Builder dataRetries(int n) {
            this.dataRetries = nonNegative("dataRetries", n);
            return this;
        }

        /** The RTO before any measurement (default 1 s, RFC 6298 2.1). */
        public Builder initialRto(Duration rto) {
            this.initialRtoNanos = positive("initialRto", rto);
            return this;
        }

        /** The smallest RTO (default 200 ms as in Linux; RFC 6298 says 1 s). */
        public Builder minRto(Duration rto) {
            this.minRtoNanos = positive("minRto", rto);
            return this;
        }

        /** The largest RTO (default 120 s as in Linux; RFC 6298 asks at least 60 s). */
        public Builder maxRto(Duration rto) {
            this.maxRtoNanos = positive("maxRto", rto);
            return this;
        }

        /** Send buffer bytes (default 256 KiB). */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = range("sendBufferSize", bytes, 1, 1 << 30);
            return this;
        }

        /** Receive buffer bytes (default 256 KiB; above 65,535 the window scale option is needed). */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = range("receiveBufferSize", bytes, 1, 1 << 30);
            return this;
        }

        /** Path MTU (default 1500; at least 68 for IPv4, RFC 791). */
        public Builder mtu(int bytes) {
            this.mtu = range("mtu", bytes, 68, 65535);
            return this;
        }

        /** Offer window scaling (default true). */
        public Builder windowScaling(boolean on) {
            this.windowScaling = on;
            return this;
        }

        /** Offer timestamps (default true). */
        public Builder timestamps(boolean on) {
            this.timestamps = on;
            return this;
        }

        /** Challenge ACKs per second, stack-wide (default 1000, like Linux). */
        public Builder challengeAckLimitPerSecond(int n) {
            this.challengeAckLimitPerSecond = nonNegative("challengeAckLimitPerSecond", n);
            return this;
        }

        /** The least time between two ACKs for unacceptable segments on one connection (default 500 ms, like Linux; zero: no limit). */
        public Builder dupAckInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("dupAckInterval must not be negative: " + interval);
            }
            this.dupAckIntervalNanos = interval.toNanos();
            return this;
        }

        /** RFC 5482 user timeout: give up when sent data stays unacknowledged this long (default zero: off, R2 applies). */
        public Builder userTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("userTimeout must not be negative: " + timeout);
            }
            this.userTimeoutNanos = timeout.toNanos();
            return this;
        }

        /**
         * Keep-alive for every connection (SO_KEEPALIVE; default off): after {@code idle} without
         * a segment from the peer, probe every {@code interval}; after {@code count} unanswered
         * probes, reset the connection ("connection timed out").
         */
        public Builder keepAlive(boolean on, Duration idle, Duration interval, int count) {
            this.keepAlive = on;
            this.keepAliveIdleNanos = positive("idle", idle);
            this.keepAliveIntervalNanos = positive("interval", interval);
            this.keepAliveCount = range("count", count, 1, 1000);
            return this;
        }

        /** Half-open connections per listener (default 256). */
        public Builder synBacklog(int n) {
            this.synBacklog = range("synBacklog", n, 1, 1 << 24);
            return this;
        }

        /** Ephemeral port range (default 49152..65535, IANA's, RFC 6335). */
        public Builder ephemeralPorts(int low, int high) {
            if (low < 1 || high > 65535 || low > high) {
                throw new IllegalArgumentException("ephemeral ports must satisfy 1 <= low <= high <= 65535: " + low + ".." + high);
            }
            this.ephemeralLow = low;
            this.ephemeralHigh = high;
            return this;
        }

        /** The congestion control algorithm of new connections (default {@link CongestionControl.Algorithm#CUBIC}). */
        public Builder congestionControl(CongestionControl.Algorithm algorithm) {
            this.congestionControl = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** Offer and use SACK (RFC 2018; default on). Used only when both SYNs carry SACK-permitted. */
        public Builder sack(boolean on) {
            this.sack = on;
            return this;
        }

        /** How long an ACK may be delayed (default 40 ms; zero: every segment is acknowledged at once; RFC 1122 4.2.3.2: under 0.5 s). */
        public Builder delayedAck(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.compareTo(Duration.ofMillis(500)) >= 0) {
                throw new IllegalArgumentException("delayedAck must be 0 .. 500 ms (RFC 1122 4.2.3.2): " + delay);
            }
            this.delayedAckNanos = delay.toNanos();
            return this;
        }

        /** Turns Nagle's algorithm off for new connections (TCP_NODELAY; default false). */
        public Builder noDelay(boolean on) {
            this.noDelay = on;
            return this;
        }

        /** The initial congestion window in segments (default 10, RFC 6928; RFC 5681 allows 2 to 4). */
        public Builder initialWindowSegments(int n) {
            this.initialWindowSegments = range("initialWindowSegments", n, 1, 1000);
            return this;
        }

        /** R1 of RFC 9293 3.8.3 (default 3): retransmissions of one segment before it is counted as struggling. */
        public Builder r1Retries(int n) {
            this.r1Retries = range("r1Retries", n, 1, 100);
            return this;
        }

        /** The configuration. */
        public TcpConfig build() {
            if (minRtoNanos > maxRtoNanos) {
                throw new IllegalArgumentException("minRto must not exceed maxRto");
            }
            return new TcpConfig(this);
        }

        private static long positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d.toNanos();
        }

        private static int nonNegative(String what, int n) {
            return range(what, n, 0, Integer.MAX_VALUE);
        }

        private static int range(String what, int n, int low, int high) {
            if (n < low || n > high) {
                throw new IllegalArgumentException(what + " must be " + low + ".." + high + ": " + n);
            }
            return n;
        }
    }
}
