package io.github.tcp4j.core.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The behaviour of one direction of a simulated link: delay, capacity and faults. Immutable;
 * build one with {@link #builder()} or derive one with {@link #toBuilder()}.
 *
 * <p>What a packet meets, in order, when it is sent onto a link direction:
 * <ol>
 *   <li>partition: while the direction is partitioned, the packet is dropped;</li>
 *   <li>MTU: an IP packet (20-byte IPv4 or 40-byte IPv6 header + segment) larger than
 *       {@link #mtu()} is dropped (as with the DF bit set);</li>
 *   <li>queue: with a bandwidth, one packet at a time is on the wire and the others wait behind
 *       it in a drop-tail queue; a packet that would make more than {@link #queueLimit()} packets
 *       wait is dropped;</li>
 *   <li>serialization: the IP packet's size (header included) * 8 / bandwidth, starting when the
 *       transmitter is free, rounded up to the next nanosecond;</li>
 *   <li>loss, then corruption (one random bit of the segment flipped), then duplication (a second
 *       copy with its own delay);</li>
 *   <li>propagation: {@link #latency()} plus a uniform random jitter in [0, {@link #jitter()}];
 *       jitter never reorders packets by itself: a packet never arrives before one sent earlier
 *       on the same direction, unless it is chosen for reordering, which holds it back by
 *       {@link #reorderDelay()} so that later packets overtake it.</li>
 * </ol>
 * Probabilities are in [0, 1]. The default is an ideal link: no delay, no limit, no faults.
 */
public final class LinkConfig {

    /** No delay, infinite bandwidth, no faults, MTU 65535. */
    public static final LinkConfig IDEAL = builder().build();

    private final long latencyNanos;
    private final long jitterNanos;
    private final long bandwidthBitsPerSecond;
    private final int queueLimit;
    private final double loss;
    private final double duplication;
    private final double reordering;
    private final long reorderDelayNanos;
    private final double corruption;
    private final int mtu;

    private LinkConfig(Builder b) {
        this.latencyNanos = b.latencyNanos;
        this.jitterNanos = b.jitterNanos;
        this.bandwidthBitsPerSecond = b.bandwidthBitsPerSecond;
        this.queueLimit = b.queueLimit;
        this.loss = b.loss;
        this.duplication = b.duplication;
        this.reordering = b.reordering;
        this.reorderDelayNanos = b.reorderDelayNanos;
        this.corruption = b.corruption;
        this.mtu = b.mtu;
    }

    /** A builder starting from the ideal link. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.latencyNanos = latencyNanos;
        b.jitterNanos = jitterNanos;
        b.bandwidthBitsPerSecond = bandwidthBitsPerSecond;
        b.queueLimit = queueLimit;
        b.loss = loss;
        b.duplication = duplication;
        b.reordering = reordering;
        b.reorderDelayNanos = reorderDelayNanos;
        b.corruption = corruption;
        b.mtu = mtu;
        return b;
    }

    /** One-way propagation delay. */
    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    /** {@link #latency()} in nanoseconds. */
    public long latencyNanos() {
        return latencyNanos;
    }

    /** Upper bound of the uniform random extra delay. */
    public Duration jitter() {
        return Duration.ofNanos(jitterNanos);
    }

    /** {@link #jitter()} in nanoseconds. */
    public long jitterNanos() {
        return jitterNanos;
    }

    /** Transmitter rate in bits per second; 0 means infinite (no serialization delay, no queue). */
    public long bandwidthBitsPerSecond() {
        return bandwidthBitsPerSecond;
    }

    /**
     * Most packets that may wait for the transmitter, not counting the one being serialized
     * ({@link Integer#MAX_VALUE}, i.e. unbounded, by default); only meaningful with a bandwidth.
     */
    public int queueLimit() {
        return queueLimit;
    }

    /** Probability that a packet is lost. */
    public double loss() {
        return loss;
    }

    /** Probability that a packet is delivered twice. */
    public double duplication() {
        return duplication;
    }

    /** Probability that a packet is held back so that later packets overtake it. */
    public double reordering() {
        return reordering;
    }

    /** How long a reordered packet is held back. */
    public Duration reorderDelay() {
        return Duration.ofNanos(reorderDelayNanos);
    }

    /** {@link #reorderDelay()} in nanoseconds. */
    public long reorderDelayNanos() {
        return reorderDelayNanos;
    }

    /** Probability that one bit of a packet is flipped. */
    public double corruption() {
        return corruption;
    }

    /** Largest IP packet (header included) the link carries. */
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkConfig c
                && c.latencyNanos == latencyNanos && c.jitterNanos == jitterNanos
                && c.bandwidthBitsPerSecond == bandwidthBitsPerSecond && c.queueLimit == queueLimit
                && Double.compare(c.loss, loss) == 0 && Double.compare(c.duplication, duplication) == 0
                && Double.compare(c.reordering, reordering) == 0 && c.reorderDelayNanos == reorderDelayNanos
                && Double.compare(c.corruption, corruption) == 0 && c.mtu == mtu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(latencyNanos, jitterNanos, bandwidthBitsPerSecond, queueLimit, loss, duplication,
                reordering, reorderDelayNanos, corruption, mtu);
    }

    @Override
    public String toString() {
        return "LinkConfig[latency=" + Duration.ofNanos(latencyNanos) + ", jitter=" + Duration.ofNanos(jitterNanos)
                + ", bandwidth=" + (bandwidthBitsPerSecond == 0 ? "inf" : bandwidthBitsPerSecond + "bit/s")
                + ", queue=" + (queueLimit == Integer.MAX_VALUE ? "unbounded" : String.valueOf(queueLimit))
                + ", loss=" + loss + ", dup=" + duplication + ", reorder=" + reordering
                + " (+" + Duration.ofNanos(reorderDelayNanos) + ")"
                + ", corrupt=" + corruption + ", mtu=" + mtu + "]";
    }

    /** Builds a {@link LinkConfig}; every setter validates its argument. */
    public static final class Builder {
        private long latencyNanos;
        private long jitterNanos;
        private long bandwidthBitsPerSecond;
        private int queueLimit = Integer.MAX_VALUE;
        private double loss;
        private double duplication;
        private double reordering;
        private long reorderDelayNanos = 1_000_000; // 1 ms unless told otherwise
        private double corruption;
        private int mtu = 65535;

        private Builder() {
        }

        /** One-way propagation delay (>= 0). */
        public Builder latency(Duration latency) {
            this.latencyNanos = nonNegative("latency", latency.toNanos());
            return this;
        }

        /** Upper bound of uniform random extra delay (>= 0). */
        public Builder jitter(Duration jitter) {
            this.jitterNanos = nonNegative("jitter", jitter.toNanos());
            return this;
        }

        /** Transmitter rate in bits per second (>= 0; 0 = infinite). */
        public Builder bandwidth(long bitsPerSecond) {
            this.bandwidthBitsPerSecond = nonNegative("bandwidth", bitsPerSecond);
            return this;
        }

        /**
         * Drop-tail queue limit: most packets waiting behind the one being serialized (>= 0; 0
         * drops every packet sent while the transmitter is busy).
         */
        public Builder queueLimit(int packets) {
            if (packets < 0) {
                throw new IllegalArgumentException("queue limit must be >= 0: " + packets);
            }
            this.queueLimit = packets;
            return this;
        }

        /** Loss probability in [0, 1]. */
        public Builder loss(double p) {
            this.loss = probability("loss", p);
            return this;
        }

        /** Duplication probability in [0, 1]. */
        public Builder duplication(double p) {
            this.duplication = probability("duplication", p);
            return this;
        }

        /** Reordering probability in [0, 1]. */
        public Builder reordering(double p) {
            this.reordering = probability("reordering", p);
            return this;
        }

        /** How long a reordered packet is held back (> 0). */
        public Builder reorderDelay(Duration delay) {
            long n = delay.toNanos();
            if (n <= 0) {
                throw new IllegalArgumentException("reorder delay must be positive: " + delay);
            }
            this.reorderDelayNanos = n;
            return this;
        }

        /** Corruption (one bit flip) probability in [0, 1]. */
        public Builder corruption(double p) {
            this.corruption = probability("corruption", p);
            return this;
        }

        /** Largest IP packet carried, 68..65535 bytes (68 is IPv4's minimum MTU, RFC 791). */
        public Builder mtu(int bytes) {
            if (bytes < 68 || bytes > 65535) {
                throw new IllegalArgumentException("MTU must be 68..65535: " + bytes);
            }
            this.mtu = bytes;
            return this;
        }

        /** The configuration. */
        public LinkConfig build() {
            return new LinkConfig(this);
        }

        private static long nonNegative(String what, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must be >= 0: " + v);
            }
            return v;
        }

        private static double probability(String what, double p) {
            if (!(p >= 0.0 && p <= 1.0)) {
                throw new IllegalArgumentException(what + " probability must be in [0, 1]: " + p);
            }
            return p;
        }
    }
}
