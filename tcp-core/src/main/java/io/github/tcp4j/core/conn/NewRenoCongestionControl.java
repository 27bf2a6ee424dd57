package io.github.tcp4j.core.conn;

/**
 * RFC 5681's congestion control: slow start (cwnd grows by the bytes acknowledged, at most two
 * segments per ACK, RFC 3465's L = 2) until ssthresh, then congestion avoidance (one segment
 * per cwnd of acknowledged bytes, RFC 3465's byte counting); a loss halves the flight.
 */
final class NewRenoCongestionControl extends CongestionWindow {

    private long bytesAckedInAvoidance;

    NewRenoCongestionControl(int mss, int initialSegments) {
        super(mss, initialSegments);
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.NEW_RENO;
    }

    @Override
    public void onAck(long bytesAcked, long flightSize, long nowNanos, long srttNanos) {
        if (cwnd < ssthresh) {
            slowStart(bytesAcked);
            return;
        }
        bytesAckedInAvoidance += bytesAcked; // RFC 5681 3.1 (3) by byte counting (RFC 3465 2.1)
        if (bytesAckedInAvoidance >= cwnd) {
            bytesAckedInAvoidance -= cwnd;
            cwnd += mss;
        }
    }

    @Override
    public void onCongestionEvent(long flightSize, long nowNanos) {
        ssthresh = Math.max(flightSize / 2, 2L * mss); // RFC 5681 3.2 (4)
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onRetransmitTimeout(long flightSize, long nowNanos) {
        ssthresh = Math.max(flightSize / 2, 2L * mss); // RFC 5681 3.1 (4)
        cwnd = mss; // the loss window, LW = 1 SMSS
        bytesAckedInAvoidance = 0;
    }
}
