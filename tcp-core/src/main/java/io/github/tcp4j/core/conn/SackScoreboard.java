package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.wire.SeqNum;
import java.util.Arrays;

/**
 * The sender's record of what the peer has selectively acknowledged (RFC 2018) above SND.UNA:
 * the scoreboard of RFC 6675 section 3, kept as sorted, disjoint, non-adjacent ranges of sequence
 * numbers. It answers RFC 6675's questions per hole (a gap between SACKed ranges) instead of per
 * byte: every byte of one hole has the same SACKed bytes above it, so IsLost() is the same for
 * the whole hole.
 *
 * <p>All ranges lie within [SND.UNA, SND.NXT], less than 2^31 apart, so offsets from SND.UNA
 * compare as plain ints. Not thread-safe; one per connection.
 */
final class SackScoreboard {

    /** RFC 6675 section 2: DupThresh = 3. */
    static final int DUP_THRESH = 3;

    private int[] left = new int[8];
    private int[] right = new int[8];
    private int count;

    /** Forgets every SACKed range. */
    void clear() {
        count = 0;
    }

    /** True when nothing above SND.UNA is SACKed. */
    boolean isEmpty() {
        return count == 0;
    }

    /** Number of disjoint SACKed ranges. */
    int ranges() {
        return count;
    }

    /** Left edge of range {@code i} (ascending order). */
    int left(int i) {
        return left[i];
    }

    /** Right edge (one past the end) of range {@code i}. */
    int right(int i) {
        return right[i];
    }

    /** The highest SACKed sequence number plus one; meaningful only when not empty. */
    int highestSacked() {
        return right[count - 1];
    }

    /** Bytes SACKed in all. */
    long sackedBytes() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += right[i] - left[i];
        }
        return n;
    }

    /**
     * Records a SACK block [blockLeft, blockRight), clipped to [sndUna, sndNxt]; blocks wholly
     * below SND.UNA (D-SACK, RFC 2883) or outside the sent data are ignored.
     *
     * @return true if it SACKed bytes not SACKed before
     */
    boolean add(int blockLeft, int blockRight, int sndUna, int sndNxt) {
        if (!SeqNum.lt(blockLeft, blockRight) || SeqNum.le(blockRight, sndUna) || SeqNum.gt(blockRight, sndNxt)) {
            return false; // empty, a D-SACK below SND.UNA, or beyond what was sent: nothing to learn
        }
        int l = (blockLeft - sndUna) < 0 ? 0 : blockLeft - sndUna;
        int r = blockRight - sndUna;
        // find the first range whose right edge reaches l (touching ranges merge)
        int i = 0;
        while (i < count && right[i] - sndUna < l) {
            i++;
        }
        int j = i;
        while (j < count && left[j] - sndUna <= r) {
            j++;
        }
        // ranges i .. j-1 overlap or touch [l, r)
        if (i == j) {
            insertAt(i, sndUna + l, sndUna + r);
            return true;
        }
        int newLeft = Math.min(l, left[i] - sndUna);
        int newRight = Math.max(r, right[j - 1] - sndUna);
        boolean grew = j - i > 1 || newLeft < left[i] - sndUna || newRight > right[i] - sndUna;
        left[i] = sndUna + newLeft;
        right[i] = sndUna + newRight;
        int removed = j - i - 1;
        if (removed > 0) {
            System.arraycopy(left, j, left, i + 1, count - j);
            System.arraycopy(right, j, right, i + 1, count - j);
            count -= removed;
        }
        return grew;
    }

    /** SND.UNA advanced to {@code sndUna}: forgets what lies below it. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < count && SeqNum.le(right[drop], sndUna)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(left, drop, left, 0, count - drop);
            System.arraycopy(right, drop, right, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && SeqNum.lt(left[0], sndUna)) {
            left[0] = sndUna;
        }
    }

    /** True if {@code seq} is SACKed. */
    boolean isSacked(int seq) {
        return endOfSackedAt(seq) != seq;
    }

    /** The right edge of the SACKed range holding {@code seq}, or {@code seq} when it is not SACKed. */
    int endOfSackedAt(int seq) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.le(left[i], seq) && SeqNum.lt(seq, right[i])) {
                return right[i];
            }
        }
        return seq;
    }

    /** The left edge of the first SACKed range above {@code seq}, or {@code seq} when none. */
    int nextSackedAbove(int seq) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.gt(left[i], seq)) {
                return left[i];
            }
        }
        return seq;
    }

    /** Bytes SACKed within [from, to). */
    long sackedBetween(int from, int to) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            int l = SeqNum.max(left[i], from);
            int r = SeqNum.min(right[i], to);
            if (SeqNum.lt(l, r)) {
                n += r - l;
            }
        }
        return n;
    }

    /**
     * RFC 6675 IsLost() for hole {@code i} (the gap just below range {@code i}; hole {@code count}
     * lies above every range): DupThresh discontiguous SACKed ranges above it, or more than
     * (DupThresh - 1) * SMSS SACKed bytes above it.
     */
    boolean holeLost(int i, int mss) {
        long above = 0;
        for (int k = i; k < count; k++) {
            above += right[k] - left[k];
        }
        return lost(count - i, above, mss);
    }

    private static boolean lost(int rangesAbove, long bytesAbove, int mss) {
        return rangesAbove >= DUP_THRESH || bytesAbove > (long) (DUP_THRESH - 1) * mss;
    }

    /**
     * RFC 6675 SetPipe(): the sender's estimate of bytes in the network, summed per hole between
     * SND.UNA and SND.NXT: a byte counts once if it is not lost, and once more if it was
     * retransmitted (it lies below HighRxt).
     */
    long pipe(int sndUna, int sndNxt, int highRxt, int mss) {
        long pipe = 0;
        long above = sackedBytes();
        int holeStart = sndUna;
        for (int i = 0; i <= count; i++) {
            int holeEnd = i < count ? left[i] : sndNxt;
            if (SeqNum.lt(holeStart, holeEnd)) {
                if (!lost(count - i, above, mss)) {
                    pipe += holeEnd - holeStart;
                }
                if (SeqNum.gt(highRxt, holeStart)) {
                    pipe += SeqNum.min(highRxt, holeEnd) - holeStart;
                }
            }
            if (i < count) {
                holeStart = right[i];
                above -= right[i] - left[i];
            }
        }
        return pipe;
    }

    /**
     * RFC 6675 NextSeg() rules 1 and 3: the first unSACKed sequence number at or above
     * {@code from} (HighRxt) and below the highest SACKed byte, in a hole that is lost
     * ({@code lostOnly}) or in any hole; writes the hole's end into {@code holeEnd[0]}.
     *
     * @return the sequence number, or {@code from} with {@code holeEnd[0] == from} when none
     */
    int nextHole(int sndUna, int from, int mss, boolean lostOnly, int[] holeEnd) {
        long above = sackedBytes();
        int holeStart = sndUna;
        for (int i = 0; i < count; i++) {
            int end = left[i];
            int start = SeqNum.max(holeStart, from);
            if (SeqNum.lt(start, end) && (!lostOnly || lost(count - i, above, mss))) {
                holeEnd[0] = end;
                return start;
            }
            holeStart = right[i];
            above -= right[i] - left[i];
        }
        holeEnd[0] = from;
        return from;
    }

    private void insertAt(int i, int l, int r) {
        if (count == left.length) {
            left = Arrays.copyOf(left, count * 2);
            right = Arrays.copyOf(right, count * 2);
        }
        System.arraycopy(left, i, left, i + 1, count - i);
        System.arraycopy(right, i, right, i + 1, count - i);
        left[i] = l;
        right[i] = r;
        count++;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(left[i])).append('-').append(Integer.toUnsignedString(right[i]));
        }
        return sb.append(']').toString();
    }
}
