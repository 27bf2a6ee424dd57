package io.github.tcp4j.core.conn;

/**
 * CUBIC (RFC 9438): after a congestion event the window grows along the cubic
 * W_cubic(t) = C (t - K)^3 + W_max, concave up to the window of the last loss (W_max) and convex
 * beyond it, independent of the RTT; below the window an AIMD flow would reach (W_est, the
 * "Reno-friendly region") it follows that instead. Windows are in segments inside the formulas
 * and in bytes outside. Slow start is RFC 5681's.
 */
final class CubicCongestionControl extends CongestionWindow {

    /** RFC 9438 5: C = 0.4. */
    private static final double C = 0.4;
    /** RFC 9438 4.6: the multiplicative decrease factor. */
    private static final double BETA = 0.7;
    /** RFC 9438 4.3: the additive increase of the Reno-friendly estimate, 3 (1 - beta) / (1 + beta). */
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    /** Segments: the window just before the last reduction (after fast convergence). */
    private double wMax;
    /** Segments: cwnd before the last reduction (cwnd_prior). */
    private double cwndPrior;
    /** Segments: the Reno-friendly estimate. */
    private double wEst;
    /** Seconds: the time the cubic takes to return to W_max. */
    private double k;
    /** When the current congestion avoidance epoch began; MIN_VALUE: not begun. */
    private long epochStart = Long.MIN_VALUE;
    /** Bytes acknowledged but not yet turned into window growth. */
    private long pendingBytes;

    CubicCongestionControl(int mss, int initialSegments) {
        super(mss, initialSegments);
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.CUBIC;
    }

    @Override
    public void onAck(long bytesAcked, long flightSize, long nowNanos, long srttNanos) {
        if (cwnd < ssthresh) {
            slowStart(bytesAcked); // RFC 9438 4.10: slow start as RFC 5681
            return;
        }
        double segments = (double) cwnd / mss;
        if (epochStart == Long.MIN_VALUE) {
            // RFC 9438 4.2: a new congestion avoidance epoch starts with this ACK
            epochStart = nowNanos;
            if (wMax <= segments) {
                wMax = segments; // no loss yet (or the window passed it): the plateau is here
                k = 0;
            } else {
                k = Math.cbrt((wMax - segments) / C); // RFC 9438 eq. 2, with cwnd_epoch = cwnd
            }
            wEst = segments;
            pendingBytes = 0;
        }
        double ackedSegments = (double) bytesAcked / mss;
        // RFC 9438 4.3: W_est grows like AIMD with alpha_cubic, alpha = 1 once past cwnd_prior
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * ackedSegments / segments;
        double rtt = srttNanos > 0 ? srttNanos / 1e9 : 0.1;
        double t = (nowNanos - epochStart) / 1e9 + rtt; // RFC 9438 4.2: the target one RTT ahead
        double wCubic = C * Math.pow(t - k, 3) + wMax; // RFC 9438 eq. 1
        if (wCubic < wEst) {
            cwnd = Math.max(cwnd, (long) (wEst * mss)); // RFC 9438 4.3: the Reno-friendly region
            return;
        }
        double target = Math.min(Math.max(wCubic, segments), 1.5 * segments); // RFC 9438 4.4-4.5: [cwnd, 1.5 cwnd]
        // RFC 9438 4.4: cwnd grows by (target - cwnd) / cwnd per acknowledged segment
        pendingBytes += (long) ((target - segments) / segments * bytesAcked);
        if (pendingBytes >= mss) {
            long grow = pendingBytes / mss * mss;
            cwnd += grow;
            pendingBytes -= grow;
        }
    }

    @Override
    public void onCongestionEvent(long flightSize, long nowNanos) {
        reduce(); // the caller sets cwnd for recovery
    }

    @Override
    public void onRetransmitTimeout(long flightSize, long nowNanos) {
        reduce();
        cwnd = mss; // RFC 9438 4.8: the loss window after a timeout, as RFC 5681
    }

    private void reduce() {
        double segments = (double) cwnd / mss;
        cwndPrior = segments;
        // RFC 9438 4.7: fast convergence, release bandwidth when the plateau went down
        wMax = segments < wMax ? segments * (1 + BETA) / 2 : segments;
        ssthresh = Math.max((long) (cwnd * BETA), 2L * mss); // RFC 9438 4.6
        epochStart = Long.MIN_VALUE;
    }

    @Override
    public void onIdleRestart(long nowNanos) {
        super.onIdleRestart(nowNanos);
        epochStart = Long.MIN_VALUE;
    }

    @Override
    public String toString() {
        return super.toString() + " wMax=" + (long) wMax;
    }
}
