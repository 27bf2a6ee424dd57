package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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
}
