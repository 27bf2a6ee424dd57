package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Under any link configuration and send schedule, every packet is accounted for and nothing leaks. */
class SimNetworkProperties {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Property(tries = 300)
    void everyPacketIsAccountedForAndReleased(@ForAll long seed,
            @ForAll @LongRange(min = 0, max = 50_000_000) long latency,
            @ForAll @LongRange(min = 0, max = 20_000_000) long jitter,
            @ForAll @LongRange(min = 0, max = 100_000_000) long bandwidth,
            @ForAll @IntRange(min = 1, max = 50) int queueLimit,
            @ForAll @DoubleRange(min = 0, max = 1) double loss,
            @ForAll @DoubleRange(min = 0, max = 1) double duplication,
            @ForAll @DoubleRange(min = 0, max = 1) double reordering,
            @ForAll @DoubleRange(min = 0, max = 1) double corruption,
            @ForAll @IntRange(min = 68, max = 1500) int mtu,
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 2_000_000) Integer> gapsNanos,
            @ForAll @IntRange(min = 0, max = 1400) int payload,
            @ForAll boolean closeEarly) {
        LinkConfig config = LinkConfig.builder().latency(Duration.ofNanos(latency)).jitter(Duration.ofNanos(jitter))
                .bandwidth(bandwidth).queueLimit(queueLimit).loss(loss).duplication(duplication).reordering(reordering)
                .corruption(corruption).mtu(mtu).build();
        List<ByteBuf> sent = new ArrayList<>();
        List<long[]> arrivals = new ArrayList<>(); // {sendTime (the tag), arrivalTime}
        SimNetwork net = new SimNetwork(seed);
        SimHost a = net.addHost("a", A);
        SimHost b = net.addHost("b", B);
        LinkDirection d = net.link(a, b, config).aToB();
        int[] delivered = {0};
        b.attach((src, dst, seg) -> {
            delivered[0]++;
            // A corrupted segment's tag may be the flipped bit; only intact ones tell their send time.
            if (Checksum.tcp(src, dst, seg, seg.readerIndex(), seg.readableBytes()) == 0) {
                arrivals.add(new long[] {Integer.toUnsignedLong(TestSegments.tag(seg)), net.now()});
            }
            seg.release();
        });
        long t = 0;
        for (int gap : gapsNanos) {
            t += gap;
            long sendTime = t;
            net.schedule(sendTime, () -> {
                ByteBuf seg = TestSegments.segment(A, B, (int) sendTime, payload);
                sent.add(seg);
                a.transport().send(A, B, seg);
            });
        }
        if (closeEarly) {
            net.advanceNanos(t + latency / 2);
        } else {
            net.runUntilIdle();
        }
        LinkStats s = d.stats();
        assertEquals(s.sent() + s.duplicated(), s.delivered() + s.dropped() + s.inFlight(), s.toString());
        assertEquals(s.delivered(), delivered[0]);
        assertTrue(arrivals.size() >= s.delivered() - 2 * s.corrupted(), "only corrupted copies lack a readable send time");
        for (long[] arrival : arrivals) {
            assertTrue(arrival[1] >= arrival[0] + latency, "never before send time + latency");
        }
        net.close();
        assertEquals(0, d.stats().inFlight());
        assertEquals(gapsNanos.size(), s.sent());
        for (ByteBuf seg : sent) {
            assertEquals(0, seg.refCnt(), "every sent buffer released exactly once");
        }
    }

    /** One send of the two-direction schedule. */
    record Send(long gapNanos, boolean fromA, int payload) {
    }

    /**
     * Both directions at once, each with its own random configuration, senders interleaved at
     * random. Besides the accounting identity per direction it checks: every buffer, including
     * the copies the network makes for duplicates and corruption, is released exactly once
     * (tracked through the allocator); no intact segment arrives before send time + latency +
     * its own serialization delay; and with reordering off, each direction is FIFO.
     */
    @Property(tries = 200)
    void bothDirectionsAccountReleaseAndKeepOrder(@ForAll long seed, @ForAll("configs") LinkConfig aToB,
            @ForAll("configs") LinkConfig bToA, @ForAll("schedules") List<Send> schedule) {
        TrackingAllocator alloc = new TrackingAllocator();
        SimNetwork net = new SimNetwork(seed);
        SimHost a = net.addHost("a", A);
        SimHost b = net.addHost("b", B);
        SimLink link = net.link(a, b, aToB, bToA);
        Map<Integer, long[]> sendTimes = new HashMap<>(); // tag -> {send time, IP packet size}; lookups only
        Recorder atA = new Recorder(net::now);
        Recorder atB = new Recorder(net::now);
        a.attach(atA);
        b.attach(atB);
        long t = 0;
        for (int i = 0; i < schedule.size(); i++) {
            Send send = schedule.get(i);
            t += send.gapNanos();
            int tag = i;
            long at = t;
            SimHost from = send.fromA() ? a : b;
            IpAddress src = send.fromA() ? A : B;
            IpAddress dst = send.fromA() ? B : A;
            sendTimes.put(tag, new long[] {at, 20 + 20 + send.payload()});
            net.schedule(at, () -> from.transport().send(src, dst, TestSegments.segment(alloc, src, dst, tag, send.payload())));
        }
        net.runUntilIdle();

        long sentFromA = schedule.stream().filter(Send::fromA).count();
        checkDirection(link.aToB(), atB, sendTimes, sentFromA);
        checkDirection(link.bToA(), atA, sendTimes, schedule.size() - sentFromA);
        assertTrue(net.isIdle());
        net.close();
        assertEquals(0, alloc.unreleasedCount(), "every buffer and every copy released");
    }

    private static void checkDirection(LinkDirection d, Recorder receiver, Map<Integer, long[]> sendTimes, long sent) {
        LinkStats s = d.stats();
        LinkConfig c = d.config();
        assertEquals(sent, s.sent(), s::toString);
        assertEquals(0, s.inFlight(), s::toString);
        assertEquals(s.sent() + s.duplicated(), s.delivered() + s.dropped(), s::toString);
        assertEquals(s.delivered(), receiver.arrivals.size());
        int lastTag = -1;
        for (Recorder.Arrival x : receiver.arrivals) {
            if (!x.checksumOk()) {
                continue; // the flipped bit may be in the tag
            }
            long[] sentAt = sendTimes.get(x.tag());
            long serialization = c.bandwidthBitsPerSecond() == 0 ? 0
                    : LinkDirection.serializationNanos((int) sentAt[1], c.bandwidthBitsPerSecond());
            assertTrue(x.time() >= sentAt[0] + c.latencyNanos() + serialization,
                    () -> "tag " + x.tag() + " arrived at " + x.time() + ", sent at " + sentAt[0] + " over " + c);
            if (c.reordering() == 0) {
                assertTrue(x.tag() >= lastTag, () -> "FIFO without reordering: " + receiver.tags());
                lastTag = x.tag();
            }
        }
    }

    @Provide
    Arbitrary<LinkConfig> configs() {
        Arbitrary<Double> probability = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.just(0.0)),
                net.jqwik.api.Tuple.of(2, Arbitraries.doubles().between(0, 0.5)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(1.0)));
        Arbitrary<LinkConfig.Builder> timing = Combinators.combine(
                Arbitraries.longs().between(0, 5_000_000),
                Arbitraries.longs().between(0, 3_000_000),
                Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(100_000, 1_000_000_000)),
                Arbitraries.oneOf(Arbitraries.just(Integer.MAX_VALUE), Arbitraries.integers().between(0, 10)),
                Arbitraries.integers().between(68, 1500),
                Arbitraries.longs().between(1, 4_000_000))
                .as((latency, jitter, bandwidth, queue, mtu, reorderDelay) -> LinkConfig.builder()
                        .latency(Duration.ofNanos(latency)).jitter(Duration.ofNanos(jitter)).bandwidth(bandwidth)
                        .queueLimit(queue).mtu(mtu).reorderDelay(Duration.ofNanos(reorderDelay)));
        return Combinators.combine(timing, probability, probability, probability, probability)
                .as((builder, loss, duplication, reordering, corruption) -> builder.loss(loss).duplication(duplication)
                        .reordering(reordering).corruption(corruption).build());
    }

    @Provide
    Arbitrary<List<Send>> schedules() {
        Arbitrary<Send> send = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 3_000_000)),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 1460))
                .as(Send::new);
        return send.list().ofMaxSize(80);
    }
}
