package io.github.tcp4j.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Sequence arithmetic checked against a model in unbounded integers: numbers are reduced
 * modulo 2^32 with {@link BigInteger}, so wraparound is the model's arithmetic, not the code's.
 */
class SeqNumProperties {

    private static final BigInteger MOD = BigInteger.ONE.shiftLeft(32);
    private static final BigInteger HALF = BigInteger.ONE.shiftLeft(31);

    /** (b - a) mod 2^32 in the model. */
    private static BigInteger forward(int a, int b) {
        return BigInteger.valueOf(Integer.toUnsignedLong(b)).subtract(BigInteger.valueOf(Integer.toUnsignedLong(a))).mod(MOD);
    }

    /** The model's "a < b": b lies 1 to 2^31 steps ahead of a. */
    private static boolean modelLt(int a, int b) {
        BigInteger d = forward(a, b);
        return d.signum() > 0 && d.compareTo(HALF) <= 0;
    }

    @Property(tries = 20_000)
    void comparisonsMatchModel(@ForAll int a, @ForAll int b) {
        assertEquals(modelLt(a, b), SeqNum.lt(a, b), "lt");
        assertEquals(modelLt(a, b) || a == b, SeqNum.le(a, b), "le");
        assertEquals(modelLt(b, a), SeqNum.gt(a, b), "gt");
        assertEquals(modelLt(b, a) || a == b, SeqNum.ge(a, b), "ge");
        assertEquals(forward(a, b).longValueExact(), SeqNum.distance(a, b), "distance");
    }

    @Property(tries = 20_000)
    void nearbyComparisonsMatchModel(@ForAll int a, @ForAll @LongRange(min = -70_000, max = 70_000) long delta) {
        // Dense near a and across the wrap point, where off-by-one mistakes live.
        int b = (int) (a + delta);
        comparisonsMatchModel(a, b);
    }

    @Property(tries = 20_000)
    void offsetsFromAnyBaseCompareLikeIntegers(@ForAll int base,
            @ForAll @LongRange(min = 0, max = (1L << 31) - 1) long i,
            @ForAll @LongRange(min = 0, max = (1L << 31) - 1) long j) {
        // base + i and base + j, computed in the model and reduced mod 2^32.
        int x = BigInteger.valueOf(base).add(BigInteger.valueOf(i)).mod(MOD).intValue();
        int y = BigInteger.valueOf(base).add(BigInteger.valueOf(j)).mod(MOD).intValue();
        assertEquals(i < j, SeqNum.lt(x, y));
        assertEquals(i <= j, SeqNum.le(x, y));
        assertEquals(i > j ? x : y, SeqNum.max(x, y));
        assertEquals(i <= j ? x : y, SeqNum.min(x, y));
    }

    @Property(tries = 50_000)
    void rangesMatchModel(@ForAll int lo, @ForAll int x, @ForAll int hi) {
        BigInteger dx = forward(lo, x);
        BigInteger dh = forward(lo, hi);
        assertEquals(dx.compareTo(dh) < 0, SeqNum.leLt(lo, x, hi), "lo <= x < hi");
        assertEquals(dx.signum() > 0 && dx.compareTo(dh) <= 0, SeqNum.ltLe(lo, x, hi), "lo < x <= hi");
        assertEquals(dx.compareTo(dh) <= 0, SeqNum.leLe(lo, x, hi), "lo <= x <= hi");
        assertEquals(dx.signum() > 0 && dx.compareTo(dh) < 0, SeqNum.ltLt(lo, x, hi), "lo < x < hi");
    }

    @Property(tries = 20_000)
    void windowsNearTheBoundary(@ForAll int lo, @ForAll @LongRange(min = 0, max = 5000) long width,
            @ForAll @LongRange(min = -10, max = 5010) long offset) {
        int hi = (int) (lo + width);
        int x = (int) (lo + offset);
        assertEquals(offset >= 0 && offset < width, SeqNum.leLt(lo, x, hi));
        assertEquals(offset > 0 && offset <= width, SeqNum.ltLe(lo, x, hi));
    }

    @Example
    void wrapAroundExamples() {
        // 0xFFFFFFFF is just before 0: the window [0xFFFFFFF0, 0x10) straddles the wrap.
        assertTrue(SeqNum.lt(0xFFFF_FFFF, 0));
        assertTrue(SeqNum.gt(5, 0xFFFF_FFF0));
        assertTrue(SeqNum.leLt(0xFFFF_FFF0, 0, 0x10));
        assertTrue(SeqNum.leLt(0xFFFF_FFF0, 0xFFFF_FFF0, 0x10));
        assertFalse(SeqNum.leLt(0xFFFF_FFF0, 0x10, 0x10));
        assertFalse(SeqNum.leLt(7, 7, 7), "an empty window holds nothing");
        assertEquals(0x20, SeqNum.distance(0xFFFF_FFF0, 0x10));
        // Exactly 2^31 apart the order is ambiguous: both directions say "less".
        assertTrue(SeqNum.lt(0, 0x8000_0000) && SeqNum.lt(0x8000_0000, 0));
    }
}
