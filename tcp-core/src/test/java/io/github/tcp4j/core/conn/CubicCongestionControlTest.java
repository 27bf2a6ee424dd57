package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CUBIC (RFC 9438) as {@link CubicCongestionControl} does it, driven by synthetic ACK clocks:
 * every round trip acknowledges the whole window, one MSS per ACK, spread evenly over the RTT.
 * Windows below are in segments unless they say bytes.
 */
class CubicCongestionControlTest {

    private static final int MSS = 1000;
    private static final long SEC = 1_000_000_000L;
    private static final double C = 0.4;

    private static CongestionControl cubic() {
        return CongestionControl.Algorithm.CUBIC.create(MSS, 10);
    }

    private static double segments(CongestionControl cc) {
        return (double) cc.cwnd() / MSS;
    }

    /** A loss at a window of {@code w} segments, recovered with cwnd = ssthresh (as SACK recovery leaves it). */
    private static void lossAt(CongestionControl cc, int w, long now) {
        cc.cwnd((long) w * MSS);
        cc.onCongestionEvent((long) w * MSS, now);
        cc.cwnd(cc.ssthresh());
    }

    /** One round trip from {@code start}: the window's worth of ACKs. */
    private static void roundTrip(CongestionControl cc, long start, long rtt) {
        long n = cc.cwnd() / MSS;
        for (long i = 0; i < n; i++) {
            cc.onAck(MSS, cc.cwnd(), start + (i + 1) * rtt / n, rtt);
        }
    }

    /** The window (segments) at the end of each round trip for {@code rounds} rounds from time 0. */
    private static List<Double> grow(CongestionControl cc, long rtt, int rounds) {
        List<Double> w = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            roundTrip(cc, r * rtt, rtt);
            w.add(segments(cc));
        }
        return w;
    }

    private static double wCubic(double t, double k, double wMax) {
        return C * Math.pow(t - k, 3) + wMax; // RFC 9438 eq. 1
    }

    @Test
    void aLossMultipliesTheWindowByBetaPointSeven() {
        CongestionControl cc = cubic();
        assertEquals(CongestionControl.Algorithm.CUBIC, cc.algorithm());
        cc.cwnd(100 * MSS);
        // RFC 9438 4.6: ssthresh = cwnd * beta_cubic, beta_cubic = 0.7 (not NewReno's 0.5)
        cc.onCongestionEvent(100 * MSS, 0);
        assertEquals(70 * MSS, cc.ssthresh(), 1);
        // RFC 9438 4.8: after a timeout cwnd is one segment, ssthresh as for any congestion event
        cc.cwnd(50 * MSS);
        cc.onRetransmitTimeout(50 * MSS, 0);
        assertEquals(MSS, cc.cwnd());
        assertEquals(35 * MSS, cc.ssthresh(), 1);
    }

    @Test
    void slowStartIsRenos() {
        CongestionControl cc = cubic();
        // RFC 9438 4.10: slow start as RFC 5681 (with RFC 3465's L = 2)
        cc.onAck(MSS, 10 * MSS, 0, 0);
        cc.onAck(5 * MSS, 10 * MSS, 0, 0);
        assertEquals(13 * MSS, cc.cwnd());
    }

    @Test
    void theWindowFollowsTheCubicConcaveUpToWmaxThenConvex() {
        CongestionControl cc = cubic();
        lossAt(cc, 100, 0);
        long rtt = SEC / 10;
        double k = Math.cbrt((100 - 70) / C); // RFC 9438 eq. 2: K = cbrt((W_max - cwnd_epoch) / C) = 4.22 s
        List<Double> w = grow(cc, rtt, 60);
        // RFC 9438 4.4/4.5: cwnd tracks W_cubic(t): concave below W_max, convex above it
        for (int r = 1; r < 55; r++) {
            double t = (r + 1) * 0.1;
            assertEquals(wCubic(t, k, 100), w.get(r), 3.0, "round " + r + " at " + t + " s: " + w);
        }
        double early = w.get(20) - w.get(0); // 0.1 .. 2.1 s
        double late = w.get(40) - w.get(20); // 2.1 .. 4.1 s
        assertTrue(early > 3 * late, "concave: fast growth far from W_max, slow near it: " + early + " vs " + late);
        int atK = (int) Math.round(k * 10) - 1;
        assertEquals(100, w.get(atK), 1.5, "the plateau at W_max around t = K");
        double after1 = w.get(atK + 6) - w.get(atK);
        double after2 = w.get(atK + 12) - w.get(atK + 6);
        assertTrue(after2 > after1, "convex beyond W_max: " + after1 + " then " + after2);
    }

    @Test
    void fastConvergenceLowersWmaxWhenTheWindowShrinks() {
        CongestionControl fast = cubic();
        lossAt(fast, 100, 0);
        lossAt(fast, 80, 0); // below the last W_max: W_max = 80 * (1 + 0.7) / 2 = 68
        CongestionControl plain = cubic();
        lossAt(plain, 100, 0);
        lossAt(plain, 110, 0); // above it: W_max = 110
        long rtt = SEC / 10;
        // RFC 9438 4.7: with fast convergence the plateau is 68 segments, reached after K = cbrt((68 - 56) / 0.4) = 3.1 s
        List<Double> w = grow(fast, rtt, 31);
        assertEquals(56, w.get(0), 2.0);
        assertEquals(68, w.get(20), 1.5, "plateau at 68, not 80: " + w);
        assertTrue(w.stream().allMatch(x -> x < 75), "never heading for 80 (beyond t = 2.2 s the Reno-friendly estimate leads): " + w);
        List<Double> v = grow(plain, rtt, 46);
        assertEquals(110, v.get(45), 2.0, "without a shrinking window W_max is the window at the loss: " + v);
    }

    @Test
    void withShortRttsTheRenoFriendlyEstimateLeads() {
        CongestionControl cc = cubic();
        lossAt(cc, 100, 0);
        long rtt = SEC / 1000; // 1 ms: in 40 ms the cubic has hardly moved (W_cubic(0.04) = 70.9)
        List<Double> w = grow(cc, rtt, 40);
        // RFC 9438 4.3: W_est grows by alpha_cubic = 3 (1 - beta) / (1 + beta) = 0.53 segments per RTT
        double alpha = 3 * (1 - 0.7) / (1 + 0.7);
        assertEquals(70 + alpha * 40, w.get(39), 1.5, w.toString());
        // ... and by one segment per RTT once it has passed cwnd_prior (100)
        List<Double> more = grow(cc, rtt, 40);
        double grownTo = more.get(39);
        assertTrue(grownTo > 100, "past cwnd_prior: " + grownTo);
        double perRtt = (more.get(39) - more.get(29)) / 10;
        assertEquals(1.0, perRtt, 0.15, "Reno's slope beyond cwnd_prior: " + more);
    }

    @Test
    void restartAfterIdleFallsBackToTheInitialWindow() {
        CongestionControl cc = cubic();
        cc.cwnd(50 * MSS);
        cc.onIdleRestart(0); // RFC 5681 4.1 (RFC 9438 5.8 keeps it)
        assertEquals(10 * MSS, cc.cwnd());
    }
}
