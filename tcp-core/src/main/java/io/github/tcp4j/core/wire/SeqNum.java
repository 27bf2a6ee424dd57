package io.github.tcp4j.core.wire;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4).
 *
 * <p>Sequence numbers are Java {@code int}s holding the 32 bits of the field; "less than" means
 * "comes before in the circular space", which RFC 9293 section 3.4 writes as {@code =<} and
 * {@code <} with the note that "all arithmetic dealing with sequence numbers must be performed
 * modulo 2**32". Two numbers compare by the sign of their 32-bit difference, so {@code a < b}
 * holds when b lies 1 to 2^31 ahead of a. Exactly 2^31 apart, both {@code lt(a, b)} and
 * {@code lt(b, a)} hold: the distance is ambiguous, and TCP keeps windows far below it.
 *
 * <p>The range checks ({@link #leLt}, {@link #ltLe}, ...) are stronger: they measure both
 * distances from the lower bound, so they are exact for any window up to 2^32 - 1 wide, the way
 * the acceptability tests of RFC 9293 section 3.10.7.4 are written
 * ({@code RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND}).
 *
 * <p>The class is a namespace of static methods: no values, no allocation.
 */
public final class SeqNum {

    private SeqNum() {
    }

    /** {@code a < b} modulo 2^32. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a =< b} modulo 2^32. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b} modulo 2^32; always the same as {@code lt(b, a)}. */
    public static boolean gt(int a, int b) {
        return b - a < 0;
    }

    /** {@code a >= b} modulo 2^32; always the same as {@code le(b, a)}. */
    public static boolean ge(int a, int b) {
        return b - a <= 0;
    }

    /** {@code lo =< x < hi}: x lies in the half-open range starting at lo. An empty range (lo == hi) holds nothing. */
    public static boolean leLt(int lo, int x, int hi) {
        return Integer.compareUnsigned(x - lo, hi - lo) < 0;
    }

    /** {@code lo < x =< hi}: x lies in the half-open range ending at hi. */
    public static boolean ltLe(int lo, int x, int hi) {
        return x != lo && Integer.compareUnsigned(x - lo, hi - lo) <= 0;
    }

    /** {@code lo =< x =< hi}: x lies in the closed range. */
    public static boolean leLe(int lo, int x, int hi) {
        return Integer.compareUnsigned(x - lo, hi - lo) <= 0;
    }

    /** {@code lo < x < hi}: x lies strictly inside the range. */
    public static boolean ltLt(int lo, int x, int hi) {
        return x != lo && Integer.compareUnsigned(x - lo, hi - lo) < 0;
    }

    /** The later of a and b in sequence space. */
    public static int max(int a, int b) {
        return lt(a, b) ? b : a;
    }

    /** The earlier of a and b in sequence space. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /**
     * How far {@code to} lies after {@code from}, as an unsigned distance 0..2^32-1 in a
     * {@code long} (e.g. the number of bytes between SND.UNA and SND.NXT).
     */
    public static long distance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }

    /** The field's value as an unsigned number 0..2^32-1, for printing. */
    public static long toUnsigned(int seq) {
        return Integer.toUnsignedLong(seq);
    }
}
