package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link SackScoreboard} against the simplest model there is: one flag per sequence number
 * between SND.UNA and SND.NXT, and RFC 6675's definitions written per byte (IsLost(), SetPipe(),
 * NextSeg() rules 1 and 3). Random sequences of SACK blocks (in range, overlapping, below SND.UNA
 * like D-SACKs, beyond SND.NXT, empty), cumulative ACKs and new data, anywhere in the 32-bit
 * sequence space (wrap-around included).
 */
class SackScoreboardProperties {

    private static final int MAX_SPAN = 3000;

    /** One step: kind 0 = a SACK block [a, b), 1 = ACK up to a, 2 = send a more bytes (offsets from the base). */
    record Op(int kind, int a, int b) {
    }

    /** The per-byte model: offsets from {@code base}; sacked[i] for byte base + i. */
    private static final class Model {
        final int base;
        int una;
        int nxt;
        final boolean[] sacked = new boolean[3 * MAX_SPAN];

        Model(int base, int nxt) {
            this.base = base;
            this.nxt = nxt;
        }

        /** The implementation's documented rule: ignore empty blocks, blocks ending at or below SND.UNA or beyond SND.NXT. */
        boolean add(int l, int r) {
            if (l >= r || r <= una || r > nxt) {
                return false;
            }
            boolean news = false;
            for (int i = Math.max(l, una); i < r; i++) {
                news |= !sacked[i];
                sacked[i] = true;
            }
            return news;
        }

        void advance(int ack) {
            for (int i = una; i < ack; i++) {
                sacked[i] = false;
            }
            una = ack;
        }

        /** Maximal runs of SACKed bytes as [left, right) offsets. */
        List<int[]> ranges() {
            List<int[]> out = new ArrayList<>();
            int i = una;
            while (i < nxt) {
                if (sacked[i]) {
                    int j = i;
                    while (j < nxt && sacked[j]) {
                        j++;
                    }
                    out.add(new int[] {i, j});
                    i = j;
                } else {
                    i++;
                }
            }
            return out;
        }

        /** SACKed runs and bytes strictly above each offset (the suffix sums IsLost() needs). */
        private int[] runsAbove = new int[0];
        private int[] bytesAbove = new int[0];

        /** Recomputes the suffix sums after a change. */
        void index() {
            runsAbove = new int[nxt + 1];
            bytesAbove = new int[nxt + 1];
            for (int i = nxt - 2; i >= una; i--) {
                int j = i + 1;
                bytesAbove[i] = bytesAbove[j] + (sacked[j] ? 1 : 0);
                runsAbove[i] = runsAbove[j] + (sacked[j] && !sacked[i] ? 1 : 0);
            }
        }

        /** RFC 6675 4 IsLost(SeqNum): DupThresh discontiguous SACKed sequences above, or more than (DupThresh - 1) * SMSS bytes. */
        boolean isLost(int seq, int mss) {
            return runsAbove[seq] >= 3 || bytesAbove[seq] > 2 * mss;
        }

        /** RFC 6675 4 SetPipe(), octet by octet. HighRxt here is one past the highest retransmitted octet. */
        long pipe(int highRxt, int mss) {
            long pipe = 0;
            for (int s = una; s < nxt; s++) {
                if (sacked[s]) {
                    continue;
                }
                if (!isLost(s, mss)) {
                    pipe++;
                }
                if (s < highRxt) {
                    pipe++;
                }
            }
            return pipe;
        }

        int highestSacked() {
            for (int i = nxt - 1; i >= una; i--) {
                if (sacked[i]) {
                    return i + 1;
                }
            }
            return -1;
        }

        /** NextSeg() rules 1 (lostOnly) and 3: the first unSACKed octet at or above from, below the highest SACKed one; and its hole's end. */
        int[] nextHole(int from, int mss, boolean lostOnly) {
            int top = highestSacked();
            for (int s = Math.max(from, una); s < top; s++) {
                if (!sacked[s] && (!lostOnly || isLost(s, mss))) {
                    int end = s;
                    while (!sacked[end]) {
                        end++;
                    }
                    return new int[] {s, end};
                }
            }
            return new int[] {from, from};
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> sack = Combinators.combine(Arbitraries.integers().between(-200, MAX_SPAN + 200),
                Arbitraries.integers().between(0, 1500)).as((l, n) -> new Op(0, l, l + n));
        Arbitrary<Op> ack = Arbitraries.integers().between(0, 1200).map(n -> new Op(1, n, 0));
        Arbitrary<Op> send = Arbitraries.integers().between(1, 1500).map(n -> new Op(2, n, 0));
        Arbitrary<Op> emptyOrReversed = Arbitraries.integers().between(0, MAX_SPAN).map(l -> new Op(0, l, l - 3));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, sack), net.jqwik.api.Tuple.of(2, ack), net.jqwik.api.Tuple.of(2, send),
                net.jqwik.api.Tuple.of(1, emptyOrReversed)).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 500)
    void scoreboardAgreesWithThePerByteModel(@ForAll("ops") List<Op> ops, @ForAll int base,
            @ForAll("mss") int mss, @ForAll("initial") int initialFlight) {
        SackScoreboard board = new SackScoreboard();
        Model m = new Model(base, initialFlight);
        for (Op op : ops) {
            switch (op.kind()) {
                case 0 -> {
                    boolean expected = m.add(op.a(), op.b());
                    assertEquals(expected, board.add(base + op.a(), base + op.b(), base + m.una, base + m.nxt),
                            "add " + op + " to " + board);
                }
                case 1 -> {
                    int ack = Math.min(m.nxt, m.una + op.a());
                    m.advance(ack);
                    board.advance(base + ack);
                }
                default -> m.nxt = Math.min(m.nxt + op.a(), m.sacked.length - 1);
            }
            m.index();
            check(board, m, mss);
        }
    }

    private static void check(SackScoreboard board, Model m, int mss) {
        List<int[]> ranges = m.ranges();
        String where = "model " + describe(ranges) + ", scoreboard " + board;
        assertEquals(ranges.size(), board.ranges(), where);
        long bytes = 0;
        for (int i = 0; i < ranges.size(); i++) {
            assertEquals(m.base + ranges.get(i)[0], board.left(i), where);
            assertEquals(m.base + ranges.get(i)[1], board.right(i), where);
            bytes += ranges.get(i)[1] - ranges.get(i)[0];
        }
        assertEquals(bytes, board.sackedBytes(), where);
        assertEquals(ranges.isEmpty(), board.isEmpty(), where);
        if (!ranges.isEmpty()) {
            assertEquals(m.base + m.highestSacked(), board.highestSacked(), where);
        }
        int una = m.base + m.una;
        int[] holeEnd = new int[1];
        for (int probe = m.una; probe <= m.nxt; probe += Math.max(1, (m.nxt - m.una) / 7)) {
            assertEquals(probe < m.nxt && m.sacked[probe], board.isSacked(m.base + probe), where + " isSacked " + probe);
            int end = probe; // the model's end of the SACKed run holding probe, and its next SACKed byte above probe
            while (end < m.nxt && m.sacked[end]) {
                end++;
            }
            assertEquals(m.base + end, board.endOfSackedAt(m.base + probe), where + " endOfSackedAt " + probe);
            int above = probe + 1;
            while (above < m.nxt && !(m.sacked[above] && !m.sacked[above - 1])) {
                above++;
            }
            boolean anyAbove = above < m.nxt;
            assertEquals(anyAbove ? m.base + above : m.base + probe, board.nextSackedAbove(m.base + probe),
                    where + " nextSackedAbove " + probe);
            // HighRxt anywhere in the window
            assertEquals(m.pipe(probe, mss), board.pipe(una, m.base + m.nxt, m.base + probe, mss), where + " pipe, HighRxt " + probe);
            for (boolean lostOnly : new boolean[] {true, false}) {
                int[] expected = m.nextHole(probe, mss, lostOnly);
                int got = board.nextHole(una, m.base + probe, mss, lostOnly, holeEnd);
                assertEquals(m.base + expected[0], got, where + " nextHole from " + probe + " lostOnly=" + lostOnly);
                assertEquals(m.base + expected[1], holeEnd[0], where + " hole end from " + probe + " lostOnly=" + lostOnly);
            }
            long between = 0;
            for (int i = m.una; i < probe; i++) {
                between += m.sacked[i] ? 1 : 0;
            }
            assertEquals(between, board.sackedBetween(una, m.base + probe), where);
        }
        // IsLost per hole: hole i lies just below range i (hole ranges() above every range)
        int holeStart = m.una;
        for (int i = 0; i <= ranges.size(); i++) {
            int holeStop = i < ranges.size() ? ranges.get(i)[0] : m.nxt;
            if (holeStart < holeStop) {
                assertEquals(m.isLost(holeStart, mss), board.holeLost(i, mss), where + " holeLost " + i);
            }
            if (i < ranges.size()) {
                holeStart = ranges.get(i)[1];
            }
        }
    }

    private static String describe(List<int[]> ranges) {
        StringBuilder sb = new StringBuilder("[");
        ranges.forEach(r -> sb.append(' ').append(r[0]).append('-').append(r[1]));
        return sb.append(" ]").toString();
    }

    @Provide
    Arbitrary<Integer> mss() {
        return Arbitraries.integers().between(1, 400);
    }

    @Provide
    Arbitrary<Integer> initial() {
        return Arbitraries.integers().between(1, MAX_SPAN);
    }
}
