package io.github.tcp4j.core.conn;

/**
 * A congestion control algorithm: how much a connection may have in flight (the congestion
 * window, cwnd) and how that changes as ACKs arrive and losses are detected (RFC 5681). One
 * instance per connection; the connection calls it from its stack's thread.
 *
 * <p>The connection runs loss recovery itself (fast retransmit with NewReno or SACK recovery,
 * RFC 6582 and RFC 6675); the algorithm decides the growth outside recovery ({@link #onAck}),
 * the slow-start threshold after a loss ({@link #onCongestionEvent}) and after a timeout
 * ({@link #onRetransmitTimeout}), and the restart after an idle period
 * ({@link #onIdleRestart}). During recovery the connection sets cwnd directly
 * ({@link #cwnd(long)}).
 */
public interface CongestionControl {

    /** The algorithms tcp4j provides, selectable per stack ({@link TcpConfig.Builder#congestionControl}) or per connection. */
    enum Algorithm {
        /** RFC 5681's slow start and congestion avoidance with NewReno recovery (RFC 6582). */
        NEW_RENO,
        /** CUBIC (RFC 9438), Linux's default: a cubic window growth independent of the RTT. */
        CUBIC;

        /** A new instance for a connection whose sender MSS is {@code mss} bytes. */
        public CongestionControl create(int mss, int initialWindowSegments) {
            return switch (this) {
                case NEW_RENO -> new NewRenoCongestionControl(mss, initialWindowSegments);
                case CUBIC -> new CubicCongestionControl(mss, initialWindowSegments);
            };
        }
    }

    /** Which algorithm this is. */
    Algorithm algorithm();

    /** The congestion window in bytes. */
    long cwnd();

    /** Sets the congestion window (used by loss recovery: inflation, deflation, the end of recovery). */
    void cwnd(long bytes);

    /** The slow-start threshold in bytes. */
    long ssthresh();

    /** True while cwnd is below ssthresh (RFC 5681 3.1). */
    default boolean inSlowStart() {
        return cwnd() < ssthresh();
    }

    /** The sender MSS changed (known once the SYNs are exchanged): the windows are re-based on it. */
    void mss(int mss);

    /**
     * An ACK acknowledged {@code bytesAcked} new bytes outside loss recovery: grow cwnd.
     *
     * @param flightSize bytes in flight before this ACK (RFC 5681's FlightSize)
     * @param nowNanos the current time
     * @param srttNanos the smoothed RTT (0 before the first sample)
     */
    void onAck(long bytesAcked, long flightSize, long nowNanos, long srttNanos);

    /** Loss detected by duplicate ACKs or SACK (fast retransmit): set ssthresh (the caller then sets cwnd for recovery). */
    void onCongestionEvent(long flightSize, long nowNanos);

    /** The retransmission timer expired: ssthresh from the flight, cwnd = 1 segment (RFC 5681 3.1, LW). */
    void onRetransmitTimeout(long flightSize, long nowNanos);

    /** RFC 5681 4.1: after an idle period longer than the RTO, cwnd falls back to at most the initial window. */
    void onIdleRestart(long nowNanos);
}
