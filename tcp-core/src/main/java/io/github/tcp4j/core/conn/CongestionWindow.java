package io.github.tcp4j.core.conn;

/**
 * What every congestion control algorithm keeps: the sender MSS, cwnd and ssthresh, with RFC
 * 5681's slow start, its loss window after a timeout and its restart after idle. The algorithms
 * extend it with their own congestion avoidance and decrease.
 */
abstract class CongestionWindow implements CongestionControl {

    int mss;
    private final int initialSegments;
    long cwnd;
    long ssthresh = Long.MAX_VALUE; // RFC 5681 3.1: "arbitrarily high" until the first loss

    CongestionWindow(int mss, int initialSegments) {
        this.mss = mss;
        this.initialSegments = initialSegments;
        this.cwnd = initialWindow();
    }

    @Override
    public long cwnd() {
        return cwnd;
    }

    @Override
    public void cwnd(long bytes) {
        cwnd = Math.max(mss, bytes);
    }

    @Override
    public long ssthresh() {
        return ssthresh;
    }

    @Override
    public void mss(int newMss) {
        mss = newMss;
        cwnd = initialWindow();
    }

    /** RFC 5681 3.1 (2) with RFC 3465's L = 2 SMSS: cwnd grows by what was acknowledged, at most two segments per ACK. */
    void slowStart(long bytesAcked) {
        cwnd += Math.min(bytesAcked, 2L * mss);
    }

    @Override
    public void onIdleRestart(long nowNanos) {
        cwnd = Math.min(cwnd, initialWindow()); // RFC 5681 4.1: RW = min(IW, cwnd)
    }

    /** The initial window, IW (RFC 6928's 10 segments by default). */
    final long initialWindow() {
        return (long) initialSegments * mss;
    }

    @Override
    public String toString() {
        return algorithm() + " cwnd=" + cwnd + " ssthresh=" + (ssthresh == Long.MAX_VALUE ? "inf" : ssthresh);
    }
}
