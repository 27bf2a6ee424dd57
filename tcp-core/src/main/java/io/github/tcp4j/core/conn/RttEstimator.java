package io.github.tcp4j.core.conn;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from round-trip samples, RTO = SRTT +
 * max(G, 4 RTTVAR), clamped to the configured minimum and maximum, doubled on each expiry
 * (exponential backoff, section 5.5). Karn's rule (no sample from a retransmitted segment) is the
 * caller's: it stops timing when it retransmits.
 */
final class RttEstimator {

    private final long minRto;
    private final long maxRto;
    private final long granularity;
    private long srtt;
    private long rttvar;
    private long rto;
    private boolean measured;

    RttEstimator(long initialRto, long minRto, long maxRto, long granularity) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.granularity = granularity;
        this.rto = clamp(initialRto);
    }

    /** Takes one round-trip sample R (nanoseconds). */
    void sample(long r) {
        if (!measured) {
            // RFC 6298 2.2: the first measurement
            srtt = r;
            rttvar = r / 2;
            measured = true;
        } else {
            // RFC 6298 2.3: beta = 1/4, alpha = 1/8
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = clamp(srtt + Math.max(granularity, 4 * rttvar));
    }

    /** RFC 6298 5.5: the timer expired, so back off (RTO = RTO * 2, up to the maximum). */
    void backoff() {
        rto = Math.min(maxRto, rto * 2);
    }

    /** The current RTO in nanoseconds. */
    long rto() {
        return rto;
    }

    /** Smoothed RTT, 0 before the first sample. */
    long srtt() {
        return srtt;
    }

    /** RTT variation, 0 before the first sample. */
    long rttvar() {
        return rttvar;
    }

    private long clamp(long value) {
        return Math.max(minRto, Math.min(maxRto, value));
    }
}
