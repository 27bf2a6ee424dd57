package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The retransmission timeout computed from round-trip samples: RFC 6298's rules, one by one. */
class RttEstimatorTest {

    private static final long MS = 1_000_000L;
    private static final long G = MS; // the timer wheel's tick: the clock granularity G

    private static RttEstimator estimator(long minRto, long maxRto) {
        return new RttEstimator(1000 * MS, minRto, maxRto, G);
    }

    @Test
    void beforeAnySampleTheRtoIsTheInitialOne() {
        // RFC 6298 2.1: until a measurement is made, RTO = the initial value (1 s)
        RttEstimator e = estimator(200 * MS, 120_000 * MS);
        assertEquals(1000 * MS, e.rto());
        assertEquals(0, e.srtt());
    }

    @Test
    void firstSampleSetsSrttToRAndRttvarToHalfR() {
        // RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, K*RTTVAR) with K = 4
        RttEstimator e = estimator(200 * MS, 120_000 * MS);
        e.sample(100 * MS);
        assertEquals(100 * MS, e.srtt());
        assertEquals(50 * MS, e.rttvar());
        assertEquals(300 * MS, e.rto());
    }

    @Test
    void laterSamplesUseAlphaOneEighthAndBetaOneQuarter() {
        // RFC 6298 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT = 7/8 SRTT + 1/8 R'
        RttEstimator e = estimator(200 * MS, 120_000 * MS);
        e.sample(100 * MS);
        e.sample(300 * MS);
        assertEquals(87_500_000L, e.rttvar(), "3/4 * 50 + 1/4 * |100 - 300| ms (with the old SRTT)");
        assertEquals(125 * MS, e.srtt(), "7/8 * 100 + 1/8 * 300 ms");
        assertEquals(475 * MS, e.rto(), "125 + 4 * 87.5 ms");
        e.sample(125 * MS);
        assertEquals(65_625_000L, e.rttvar());
        assertEquals(125 * MS, e.srtt());
        assertEquals(387_500_000L, e.rto());
    }

    @Test
    void clockGranularityBoundsTheVarianceTerm() {
        // RFC 6298 2.2/2.3: RTO = SRTT + max(G, 4 RTTVAR): a steady tiny RTT leaves G
        RttEstimator e = estimator(1, 120_000 * MS);
        e.sample(200_000L); // 0.2 ms: 4 * RTTVAR = 0.4 ms < G
        assertEquals(200_000L + G, e.rto());
        for (int i = 0; i < 50; i++) {
            e.sample(2 * MS);
        }
        assertEquals(2 * MS, e.srtt(), 10_000, "SRTT converged on 2 ms");
        assertEquals(e.srtt() + G, e.rto(), "RTTVAR decayed below G/4: RTO = SRTT + G");
    }

    @Test
    void rtoIsClampedToTheMinimum() {
        // RFC 6298 2.4: RTO below the minimum is rounded up to it (1 s in the RFC, 200 ms here as in Linux)
        RttEstimator e = estimator(200 * MS, 120_000 * MS);
        e.sample(10 * MS);
        assertEquals(200 * MS, e.rto());
        RttEstimator rfc = estimator(1000 * MS, 120_000 * MS);
        rfc.sample(10 * MS);
        assertEquals(1000 * MS, rfc.rto());
    }

    @Test
    void rtoIsClampedToTheMaximum() {
        // RFC 6298 2.5: a maximum may be placed on RTO provided it is at least 60 s
        RttEstimator e = estimator(200 * MS, 60_000 * MS);
        e.sample(50_000 * MS);
        assertEquals(60_000 * MS, e.rto());
    }

    @Test
    void backoffDoublesUpToTheMaximumAndTheNextSampleRecomputes() {
        // RFC 6298 5.5: on expiry RTO = RTO * 2 (the maximum of 2.5 applies); 5.7: a new sample recomputes it
        RttEstimator e = estimator(200 * MS, 3000 * MS);
        e.sample(100 * MS);
        e.backoff();
        assertEquals(600 * MS, e.rto());
        e.backoff();
        assertEquals(1200 * MS, e.rto());
        e.backoff();
        assertEquals(2400 * MS, e.rto());
        e.backoff();
        assertEquals(3000 * MS, e.rto(), "doubling stops at the maximum");
        e.backoff();
        assertEquals(3000 * MS, e.rto());
        e.sample(100 * MS);
        assertEquals(100 * MS + 4 * 37_500_000L, e.rto(), "the backed-off value is gone with the next sample");
    }
}
