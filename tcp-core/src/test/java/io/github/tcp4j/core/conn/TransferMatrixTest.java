package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.CongestionControl.Algorithm;
import io.github.tcp4j.core.transport.LinkConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transfer matrix of the data-transfer issue: two tcp4j hosts send each other a stream of
 * seeded random bytes at the same time over a simulated link, in virtual time, and each end
 * checks the SHA-256 of what it read against what the other wrote. Rows combine loss {0, 1%,
 * 5%, 20%}, RTT {0.1 ms, 10 ms, 200 ms} and buffers {4 KiB, 64 KiB, 4 MiB (window scaling)};
 * some rows add reordering, duplication and corruption, some a slow reader at each end that lets
 * its buffer fill and reads only after its window has stayed closed for a while, so the windows
 * close, are probed and reopen again and again. Every row must complete with both streams intact, and both connections
 * must then close cleanly: no connection or TIME-WAIT record left, no failure.
 *
 * <p>By default (CI) a representative subset runs with small transfers, sized for Netty's
 * paranoid leak detection. The whole matrix with 100 MB each way runs in the
 * {@code full-matrix} profile of tcp-core (see docs/performance.md):
 * {@code mvn -o -pl tcp-core -am test -Pfull-matrix -Dtest=TransferMatrixTest -Dsurefire.failIfNoSpecifiedTests=false}.
 * System properties: {@code tcp4j.matrix.full=true} for every combination, {@code tcp4j.matrix.bytes}
 * for the bytes each way of every row, {@code tcp4j.matrix.seed} to change the seeds,
 * {@code tcp4j.matrix.only} to run only the rows whose name contains that text.
 */
class TransferMatrixTest {

    private static final boolean FULL = Boolean.getBoolean("tcp4j.matrix.full");
    private static final long BYTES = Long.getLong("tcp4j.matrix.bytes", -1);
    private static final long SEED = Long.getLong("tcp4j.matrix.seed", 20_261_125L);
    private static final String ONLY = System.getProperty("tcp4j.matrix.only", "");

    private static final int K4 = 4 * 1024;
    private static final int K64 = 64 * 1024;
    private static final int M4 = 4 * 1024 * 1024;
    private static final long KIB = 1024;

    /** One row: link, buffers, options, and the bytes each way it transfers in CI. */
    record Row(double loss, double rttMs, int buffer, boolean faults, boolean slowReaders, Algorithm algorithm,
            boolean sack, long ciBytes) {

        @Override
        public String toString() {
            return String.format("loss %s%%, RTT %s ms, buffers %s%s%s, %s, SACK %s", pct(loss), num(rttMs), size(buffer),
                    faults ? ", reorder+dup+corrupt" : "", slowReaders ? ", slow readers" : "", algorithm,
                    sack ? "on" : "off");
        }

        long bytes() {
            return BYTES > 0 ? BYTES : ciBytes;
        }

        long seed() {
            return SEED ^ toString().hashCode();
        }

        LinkConfig link() {
            LinkConfig.Builder b = LinkConfig.builder().latency(Duration.ofNanos((long) (rttMs * 500_000))).loss(loss);
            if (faults) {
                // a reordered packet is held back a quarter RTT (at least 1 ms) so that later ones overtake it
                b.reordering(0.03).reorderDelay(Duration.ofNanos(Math.max(1_000_000L, (long) (rttMs * 250_000))))
                        .duplication(0.02).corruption(0.02);
            }
            return b.build();
        }

        TcpConfig config() {
            return TcpConfig.builder().sendBufferSize(buffer).receiveBufferSize(buffer).congestionControl(algorithm)
                    .sack(sack).build();
        }

        /**
         * How often a stalling reader looks at its window: every 4 RTTs plus a second. It reads only once
         * the window has been zero for a whole interval, so between two reads the peer fills the window,
         * its persist timer sends a segment's tail that the sender's SWS rule held back (RFC 9293
         * 3.8.6.2.1's override), and then probes the zero window.
         */
        Duration stallInterval() {
            return Duration.ofNanos(1_000_000_000L + (long) (rttMs * 4_000_000));
        }

        /**
         * The virtual time the row may take: an hour plus, per MiB each way, a budget for its loss rate
         * (at least 5 times what the slowest combination measured: 20% loss with 4 KiB buffers took
         * up to 2,700 virtual s per MiB), plus for slow readers three times two stall intervals per buffer's worth.
         */
        Duration timeout() {
            double mib = bytes() / (1024.0 * 1024.0);
            double perMib = loss == 0 ? 300 : loss <= 0.01 ? 600 : loss <= 0.05 ? 2_000 : 15_000;
            double seconds = 3600 + mib * perMib;
            if (slowReaders) {
                seconds += 3 * 2 * Math.ceil(bytes() / (double) buffer) * stallInterval().toNanos() / 1e9; // 2 intervals per buffer
            }
            return Duration.ofSeconds((long) seconds);
        }
    }

    static Stream<Row> rows() {
        return (FULL ? fullMatrix() : ciSubset()).stream().filter(r -> r.toString().contains(ONLY));
    }

    /** The representative subset CI runs: every loss, RTT and buffer value, both algorithms, SACK on and off. */
    static List<Row> ciSubset() {
        return List.of(
                new Row(0, 0.1, K64, false, false, Algorithm.CUBIC, true, 256 * KIB),
                new Row(0, 10, M4, false, false, Algorithm.NEW_RENO, true, 256 * KIB),
                new Row(0, 200, K4, false, false, Algorithm.CUBIC, false, 64 * KIB),
                new Row(0.01, 10, K64, false, false, Algorithm.NEW_RENO, false, 256 * KIB),
                new Row(0.01, 200, M4, false, false, Algorithm.CUBIC, true, 256 * KIB),
                new Row(0.05, 0.1, K4, false, false, Algorithm.CUBIC, true, 128 * KIB),
                new Row(0.05, 10, M4, false, false, Algorithm.NEW_RENO, true, 256 * KIB),
                new Row(0.05, 200, K64, false, false, Algorithm.CUBIC, false, 128 * KIB),
                new Row(0.20, 0.1, M4, false, false, Algorithm.CUBIC, true, 64 * KIB),
                new Row(0.20, 10, K64, false, false, Algorithm.NEW_RENO, true, 64 * KIB),
                new Row(0.20, 200, K4, false, false, Algorithm.NEW_RENO, false, 32 * KIB),
                new Row(0.01, 10, K64, true, false, Algorithm.CUBIC, true, 256 * KIB),
                new Row(0.05, 0.1, K4, true, false, Algorithm.NEW_RENO, false, 128 * KIB),
                new Row(0, 200, M4, true, false, Algorithm.NEW_RENO, true, 256 * KIB),
                new Row(0, 10, K64, false, true, Algorithm.CUBIC, true, 256 * KIB),
                new Row(0.01, 200, K4, false, true, Algorithm.NEW_RENO, false, 64 * KIB));
    }

    /**
     * Every combination of loss, RTT and buffers (36 rows, the algorithm and SACK alternating), the
     * faults at 1% and 5% loss with every buffer, and the slow readers with every buffer at 0% and 1%.
     */
    static List<Row> fullMatrix() {
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (double loss : new double[] {0, 0.01, 0.05, 0.20}) {
            for (double rtt : new double[] {0.1, 10, 200}) {
                for (int buffer : new int[] {K4, K64, M4}) {
                    rows.add(new Row(loss, rtt, buffer, false, false, i % 2 == 0 ? Algorithm.CUBIC : Algorithm.NEW_RENO,
                            i % 4 < 2, 0));
                    i++;
                }
            }
        }
        for (double loss : new double[] {0.01, 0.05}) {
            for (int buffer : new int[] {K4, K64, M4}) {
                rows.add(new Row(loss, loss == 0.01 ? 10 : 0.1, buffer, true, false, Algorithm.CUBIC, i++ % 2 == 0, 0));
            }
        }
        for (double loss : new double[] {0, 0.01}) {
            for (int buffer : new int[] {K4, K64, M4}) {
                rows.add(new Row(loss, loss == 0 ? 10 : 200, buffer, false, true, Algorithm.NEW_RENO, i++ % 2 == 0, 0));
            }
        }
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void bothStreamsArriveIntactAndTheConnectionsCloseCleanly(Row row) {
        long bytes = row.bytes();
        BulkTransfer transfer = new BulkTransfer(row.config(), row.link(), row.seed()).bytes(bytes, bytes)
                .timeout(row.timeout());
        if (row.slowReaders()) {
            transfer.stallingReaders(row.stallInterval());
        }
        BulkTransfer.Result r = transfer.run();
        System.out.printf("matrix row [%s]: %d bytes each way in %.1f s of virtual time, goodput %.3f / %.3f Mbit/s,"
                + " retransmissions %d / %d (timeouts %d / %d), zero windows %d / %d%n", row, bytes, r.virtualNanos() / 1e9,
                r.clientGoodputBps() / 1e6, r.serverGoodputBps() / 1e6, r.clientStats().retransmissions(),
                r.serverStats().retransmissions(), r.clientStats().retransmitTimeouts(), r.serverStats().retransmitTimeouts(),
                r.clientZeroWindows(), r.serverZeroWindows());
        String what = row + " (seed " + row.seed() + ", " + bytes + " bytes each way): " + r;

        assertTrue(r.completed(), "completed within " + row.timeout() + " of virtual time: " + what);
        assertEquals(bytes, r.clientToServerBytes(), what);
        assertEquals(bytes, r.serverToClientBytes(), what);
        assertTrue(r.clientStreamIntact(), "client-to-server SHA-256: " + what);
        assertTrue(r.serverStreamIntact(), "server-to-client SHA-256: " + what);
        assertTrue(r.closedCleanly(), "no connection or TIME-WAIT record left, no failure: " + what);
        assertNull(r.clientConnection().failure(), what);
        assertNull(r.serverConnection().failure(), what);
        if (row.buffer() == M4) {
            assertTrue(r.clientConnection().windowScaling() && r.serverConnection().windowScaling(), what);
        }
        assertEquals(row.sack(), r.clientConnection().sackPermitted(), what);
        assertEquals(row.algorithm(), r.clientConnection().congestionControl(), what);
        // the faults the row asks for really happened, so the row tests what it says
        long retransmissions = r.clientStats().retransmissions() + r.serverStats().retransmissions();
        if (row.loss() > 0) {
            assertTrue(retransmissions > 0, "losses were repaired by retransmission: " + what);
        }
        if (row.faults()) {
            assertTrue(r.clientStats().malformed() + r.serverStats().malformed() > 0, "corrupted segments were dropped: " + what);
        }
        if (row.slowReaders() && bytes > 2L * row.buffer()) {
            assertTrue(r.clientZeroWindows() > 0 && r.serverZeroWindows() > 0, "both windows closed: " + what);
        }
    }

    private static String pct(double p) {
        return num(p * 100);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String size(int bytes) {
        return bytes >= 1024 * 1024 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }
}
