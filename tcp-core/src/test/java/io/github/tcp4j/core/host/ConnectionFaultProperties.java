package io.github.tcp4j.core.host;

import io.github.tcp4j.core.host.FaultScenario.Advance;
import io.github.tcp4j.core.host.FaultScenario.Buffers;
import io.github.tcp4j.core.host.FaultScenario.Close;
import io.github.tcp4j.core.host.FaultScenario.CloseNow;
import io.github.tcp4j.core.host.FaultScenario.Network;
import io.github.tcp4j.core.host.FaultScenario.Op;
import io.github.tcp4j.core.host.FaultScenario.Read;
import io.github.tcp4j.core.host.FaultScenario.Shutdown;
import io.github.tcp4j.core.host.FaultScenario.Side;
import io.github.tcp4j.core.host.FaultScenario.Write;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Two tcp4j hosts over a link that loses, duplicates, reorders and corrupts segments, with random
 * latency, jitter and (sometimes) a narrow bottleneck, run a random sequence of application
 * operations (writes of up to 20 KiB, reads, shutdowns and closes on either side, time passing),
 * then both shut down, read to the end and close. Whatever the faults: every byte each side wrote
 * arrives once, in order and intact; both connections end in CLOSED (through TIME-WAIT); the hosts
 * hold nothing 2MSL later; each corrupted segment delivered is counted as malformed; nothing
 * escapes the stack, and (checked by the build's leak detector) no buffer leaks. See
 * {@link FaultScenario} for the oracle.
 *
 * <p>The seeds are fixed so the build is reproducible. With random seeds (drop {@code seed}, raise
 * {@code tries}) the first property found the ACK ping-pong now fixed and kept as
 * {@code CrossedHolesTest.bidirectionalBulkTransferThroughANarrowQueueCompletes}.
 */
class ConnectionFaultProperties {

    @Property(tries = 80, seed = "20250611", edgeCases = EdgeCasesMode.FIRST)
    void everyByteArrivesOnceInOrderAndBothEndsClose(@ForAll("networks") Network network,
            @ForAll("buffers") Buffers buffers, @ForAll("operations") List<Op> ops) {
        FaultScenario.Outcome o = FaultScenario.run(network, buffers, ops);
        Statistics.label("run without resets").collect(o.clean());
        Statistics.label("KiB written").collect((o.clientWrote() + o.serverWrote()) / (32 * 1024) * 32);
    }

    /**
     * The same with the operations starting right after connect(): data queued, shutdown and close
     * called in SYN-SENT, the server's operations applied once accept() returns its connection.
     */
    @Property(tries = 40, seed = "20250613", edgeCases = EdgeCasesMode.FIRST)
    void theSameFromTheMomentOfConnect(@ForAll("networks") Network network, @ForAll("buffers") Buffers buffers,
            @ForAll("operations") List<Op> ops) {
        FaultScenario.runFromConnect(network, buffers, ops);
    }

    /**
     * The same with the client's ISS up to 30,000 below 2^32, so its stream (and the server's
     * receive sequence space) wraps around in most runs.
     */
    @Property(tries = 30, seed = "20250612", edgeCases = EdgeCasesMode.FIRST)
    void theSameAcrossTheSequenceWrap(@ForAll("networks") Network network, @ForAll("buffers") Buffers buffers,
            @ForAll("operations") List<Op> ops, @ForAll @IntRange(min = 0, max = 30_000) int bytesBeforeWrap) {
        FaultScenario.runWithClientIss(network, buffers, ops, -1 - bytesBeforeWrap);
    }

    @Provide
    Arbitrary<Network> networks() {
        Arbitrary<Double> loss = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(4, Arbitraries.doubles().between(0, 0.2).ofScale(3)));
        Arbitrary<Double> small = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(2, Arbitraries.doubles().between(0, 0.1).ofScale(3)));
        Arbitrary<Double> reordering = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(2, Arbitraries.doubles().between(0, 0.2).ofScale(3)));
        Arbitrary<Integer> latency = Arbitraries.integers().between(100, 50_000);
        Arbitrary<Integer> jitter = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.integers().between(0, 20_000)));
        Arbitrary<Integer> reorderDelay = Arbitraries.integers().between(1, 50_000);
        Arbitrary<Tuple.Tuple2<Long, Integer>> bottleneck = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Tuple.of(0L, 0))),
                Tuple.of(1, Combinators.combine(Arbitraries.longs().between(1_000_000, 100_000_000),
                        Arbitraries.integers().between(5, 200)).as(Tuple::of)));
        return Combinators.combine(Arbitraries.longs(), loss, small, reordering, small, latency, jitter, reorderDelay)
                .as(Tuple::of)
                .flatMap(t -> bottleneck.map(bn -> new Network(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(), t.get6(),
                        t.get7(), t.get8(), bn.get1(), bn.get2())));
    }

    @Provide
    Arbitrary<Buffers> buffers() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.integers().between(512, 16 * 1024)),
                Tuple.of(2, Arbitraries.integers().between(16 * 1024, 128 * 1024)),
                Tuple.of(1, Arbitraries.just(256 * 1024)));
        Arbitrary<Boolean> usually = Arbitraries.frequency(Tuple.of(4, true), Tuple.of(1, false));
        Arbitrary<Integer> mtu = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(1500)),
                Tuple.of(1, Arbitraries.integers().between(576, 1500)));
        return Combinators.combine(size, size, usually, usually, mtu).as(Buffers::new);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Side> side = Arbitraries.of(Side.class);
        Arbitrary<Op> write = Combinators.combine(side, Arbitraries.integers().between(0, 20 * 1024).withDistribution(RandomDistribution.uniform())).as(Write::new);
        Arbitrary<Op> read = Combinators.combine(side, Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.integers().between(1, 4096)),
                Tuple.of(2, Arbitraries.just(Integer.MAX_VALUE)))).as(Read::new);
        Arbitrary<Op> advance = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 100_000)),
                Tuple.of(1, Arbitraries.integers().between(100_000, 3_000_000))).map(Advance::new);
        Arbitrary<Op> shutdown = side.map(Shutdown::new);
        Arbitrary<Op> close = side.map(Close::new);
        Arbitrary<Op> closeNow = side.map(CloseNow::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(Tuple.of(30, write), Tuple.of(25, read), Tuple.of(25, advance),
                Tuple.of(4, shutdown), Tuple.of(4, close), Tuple.of(2, closeNow));
        return op.list().ofMinSize(4).ofMaxSize(40);
    }
}
