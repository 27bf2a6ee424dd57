package io.github.tcp4j.core.transport;

import static io.github.tcp4j.core.transport.TestSegments.segment;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.pcap.PcapPrecision;
import io.github.tcp4j.core.pcap.PcapWriter;
import io.github.tcp4j.core.transport.Recorder.Arrival;
import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimNetworkTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");
    private static final long MS = 1_000_000L;

    private SimNetwork net;
    private SimHost a;
    private SimHost b;
    private Recorder atB;
    private TrackingAllocator alloc;

    @BeforeEach
    void setUp() {
        net = new SimNetwork(7);
        a = net.addHost("a", A);
        b = net.addHost("b", B);
        atB = new Recorder(net::now);
        b.attach(atB);
        alloc = new TrackingAllocator();
    }

    @AfterEach
    void tearDown() {
        net.close();
        alloc.assertAllReleased();
    }

    /** A segment from a to b whose buffer (and every copy the network makes of it) is tracked. */
    private ByteBuf tracked(int tag, int payload) {
        return TestSegments.segment(alloc, A, B, tag, payload);
    }

    private static void assertAccounted(LinkStats s) {
        assertEquals(s.sent() + s.duplicated(), s.delivered() + s.dropped() + s.inFlight(), s::toString);
    }

    private LinkDirection linkAB(LinkConfig.Builder config) {
        return net.link(a, b, config.build()).aToB();
    }

    private void sendAt(long time, int tag, int payload) {
        net.schedule(time, () -> a.transport().send(A, B, segment(A, B, tag, payload)));
    }

    @Test
    void latencyDelaysEachSegmentExactly() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(10)));
        sendAt(0, 1, 0);
        sendAt(3 * MS, 2, 0);
        net.runUntilIdle();
        assertEquals(List.of(10 * MS, 13 * MS), atB.times());
        assertEquals(List.of(1, 2), atB.tags());
    }

    @Test
    void bandwidthSerializesBackToBackSegments() {
        // 105-byte segments are 125-byte IPv4 packets = 1000 bits = 1 ms at 1 Mbit/s.
        linkAB(LinkConfig.builder().bandwidth(1_000_000).latency(Duration.ofMillis(2)));
        for (int i = 0; i < 4; i++) {
            sendAt(0, i, 85);
        }
        net.runUntilIdle();
        assertEquals(List.of(3 * MS, 4 * MS, 5 * MS, 6 * MS), atB.times());
    }

    @Test
    void dropTailQueueDropsExactlyTheOverflow() {
        LinkDirection d = linkAB(LinkConfig.builder().bandwidth(1_000_000).queueLimit(3));
        for (int i = 0; i < 6; i++) {
            sendAt(0, i, 85); // one on the wire, three waiting, two dropped
        }
        sendAt(3 * MS, 9, 85); // by then only tag 3 is left, on the wire: room again
        net.runUntilIdle();
        assertEquals(List.of(0, 1, 2, 3, 9), atB.tags());
        assertEquals(2, d.stats().droppedQueueFull());
        assertEquals(7, d.stats().sent());
        assertAccounted(d.stats());
    }

    @Test
    void aQueueLimitOfZeroKeepsOnlyThePacketOnTheWire() {
        LinkDirection d = linkAB(LinkConfig.builder().bandwidth(1_000_000).queueLimit(0));
        for (int i = 0; i < 5; i++) {
            sendAt(0, i, 85);
        }
        sendAt(1 * MS, 9, 85); // sent exactly as the first one finishes: the transmitter is free
        net.runUntilIdle();
        assertEquals(List.of(0, 9), atB.tags());
        assertEquals(4, d.stats().droppedQueueFull());
    }

    @Test
    void serializationIsRoundedUpToWholeNanoseconds() {
        assertEquals(1 * MS, LinkDirection.serializationNanos(125, 1_000_000));
        assertEquals(1, LinkDirection.serializationNanos(1, 16_000_000_000L), "never zero");
        assertEquals(3, LinkDirection.serializationNanos(1, 3_000_000_000L), "8/3 ns rounds up to 3");
    }

    @Test
    void packetsLargerThanTheMtuAreDropped() {
        LinkDirection d = linkAB(LinkConfig.builder().mtu(576));
        sendAt(0, 1, 536); // 20 + 20 + 536 = 576: fits
        sendAt(0, 2, 537);
        net.runUntilIdle();
        assertEquals(List.of(1), atB.tags());
        assertEquals(1, d.stats().droppedTooBig());
    }

    @Test
    void lossDropsAboutTheConfiguredShareAndEveryPacketIsAccountedFor() {
        LinkDirection d = linkAB(LinkConfig.builder().loss(0.3).latency(Duration.ofMillis(1)));
        for (int i = 0; i < 10_000; i++) {
            sendAt(i * 1000L, i, 0);
        }
        net.runUntilIdle();
        LinkStats s = d.stats();
        assertTrue(s.droppedLoss() > 2700 && s.droppedLoss() < 3300, s.toString());
        assertEquals(s.sent(), s.delivered() + s.dropped());
        assertEquals(s.delivered(), atB.arrivals.size());
    }

    @Test
    void duplicationDeliversTwice() {
        LinkDirection d = linkAB(LinkConfig.builder().duplication(1.0));
        sendAt(0, 5, 10);
        net.runUntilIdle();
        assertEquals(List.of(5, 5), atB.tags());
        assertEquals(atB.arrivals.get(0).hex(), atB.arrivals.get(1).hex());
        assertEquals(1, d.stats().duplicated());
    }

    @Test
    void jitterAloneNeverReordersButReorderingDoes() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(5)).jitter(Duration.ofMillis(20)));
        for (int i = 0; i < 200; i++) {
            sendAt(i * 100_000L, i, 0);
        }
        net.runUntilIdle();
        assertEquals(IntStream.range(0, 200).boxed().toList(), atB.tags());

        atB.arrivals.clear();
        LinkDirection d = net.direction(a, b).config(LinkConfig.builder().latency(Duration.ofMillis(5))
                .reordering(0.2).reorderDelay(Duration.ofMillis(3)).build());
        long start = net.now();
        for (int i = 0; i < 200; i++) {
            sendAt(start + i * 1_000_000L, i, 0);
        }
        net.runUntilIdle();
        assertEquals(200, atB.arrivals.size());
        assertNotEquals(IntStream.range(0, 200).boxed().toList(), atB.tags(), "some segments overtaken");
        assertTrue(d.stats().reordered() > 10, d.stats().toString());
    }

    @Test
    void everyCorruptedSegmentFailsTheChecksum() {
        LinkDirection d = linkAB(LinkConfig.builder().corruption(1.0));
        List<Boolean> checksumOk = new ArrayList<>();
        b.attach((src, dst, seg) -> {
            checksumOk.add(Checksum.tcp(src, dst, seg, seg.readerIndex(), seg.readableBytes()) == 0);
            seg.release();
        });
        for (int i = 0; i < 2000; i++) {
            sendAt(i, i, i % 50);
        }
        net.runUntilIdle();
        assertEquals(2000, checksumOk.size());
        assertFalse(checksumOk.contains(true), "a one-bit flip always breaks the Internet checksum");
        assertEquals(2000, d.stats().corrupted());
    }

    @Test
    void partitionDropsOnlyBetweenItsStartAndHeal() {
        SimLink link = net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(1)).build());
        link.partitionAt(20 * MS).healAt(50 * MS);
        for (int i = 0; i < 100; i++) {
            sendAt(i * MS, i, 0);
        }
        net.runUntilIdle();
        List<Integer> expected = IntStream.range(0, 100).filter(i -> i < 20 || i >= 50).boxed().toList();
        assertEquals(expected, atB.tags());
        assertEquals(30, link.aToB().stats().droppedPartition());
    }

    @Test
    void unroutableSegmentsAreCountedNotThrown() {
        SimHost c = net.addHost("c", IpAddress.parse("10.0.0.3"));
        a.transport().send(A, IpAddress.parse("10.9.9.9"), segment(A, IpAddress.parse("10.9.9.9"), 1, 0));
        a.transport().send(A, c.address(), segment(A, c.address(), 2, 0)); // no link a-c
        net.runUntilIdle();
        assertEquals(2, net.unroutableDrops());
        assertThrows(IllegalArgumentException.class, () -> net.direction(a, c));
    }

    @Test
    void loopbackReachesTheSameHost() {
        a.attach(new Recorder(net::now));
        Recorder atA = (Recorder) a.node();
        a.transport().send(A, A, segment(A, A, 3, 0));
        net.runUntilIdle();
        assertEquals(List.of(3), atA.tags());
    }

    @Test
    void theEchoHostAnswersWithAValidChecksum() {
        net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(4)).build());
        EchoNode echo = new EchoNode(b);
        b.attach(echo);
        Recorder atA = new Recorder(net::now);
        a.attach(atA);
        a.transport().send(A, B, segment(A, B, 77, 33));
        net.runUntilIdle();
        assertEquals(1, echo.echoed);
        assertEquals(List.of(8 * MS), atA.times());
        Recorder.Arrival back = atA.arrivals.get(0);
        assertEquals(B, back.source());
        assertEquals("07d0" + "03e8", back.hex().substring(0, 8), "ports swapped: 2000 > 1000");
        ByteBuf bytes = io.netty.buffer.Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.decodeHexDump(back.hex()));
        assertEquals(0, Checksum.tcp(B, A, bytes, 0, bytes.readableBytes()));
        bytes.release();
    }

    @Test
    void anIdleTenMinutesIsOneStep() {
        List<Long> fired = new ArrayList<>();
        long tenMinutes = Duration.ofMinutes(10).toNanos();
        a.attach(new SimNode() {
            private long deadline = tenMinutes;

            @Override
            public void receive(IpAddress s, IpAddress d, ByteBuf seg) {
                seg.release();
            }

            @Override
            public long nextDeadline() {
                return deadline;
            }

            @Override
            public void onTime(long now) {
                fired.add(now);
                deadline = Long.MAX_VALUE;
            }
        });
        long before = net.eventsProcessed();
        net.runUntilIdle();
        assertEquals(List.of(tenMinutes), fired);
        assertEquals(1, net.eventsProcessed() - before);
        assertTrue(net.isIdle());
    }

    @Test
    void advanceAndRunUntilStopAtTheirLimits() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(10)));
        sendAt(0, 1, 0);
        net.advance(Duration.ofMillis(9));
        assertEquals(9 * MS, net.now());
        assertTrue(atB.arrivals.isEmpty());
        assertFalse(net.runUntil(() -> atB.arrivals.size() == 2, Duration.ofMillis(5)));
        assertEquals(14 * MS, net.now());
        assertEquals(1, atB.arrivals.size());
        sendAt(net.now(), 2, 0);
        assertTrue(net.runUntil(() -> atB.arrivals.size() == 2, Duration.ofSeconds(1)));
        assertEquals(24 * MS, net.now(), "stops at the event that made the condition true");
    }

    @Test
    void aNodeThatNeverIdlesIsStoppedWithAClearError() {
        a.attach(new SimNode() {
            @Override
            public void receive(IpAddress s, IpAddress d, ByteBuf seg) {
                seg.release();
            }

            @Override
            public long nextDeadline() {
                return 0; // always due
            }
        });
        net.maxEventsPerRun(1000);
        IllegalStateException e = assertThrows(IllegalStateException.class, net::runUntilIdle);
        assertTrue(e.getMessage().contains("seed 7"), e.getMessage());
    }

    @Test
    void closeReleasesWhatIsInFlight() {
        LinkDirection d = linkAB(LinkConfig.builder().latency(Duration.ofSeconds(1)));
        ByteBuf seg = segment(A, B, 1, 10);
        a.transport().send(A, B, seg);
        assertEquals(1, seg.refCnt());
        assertEquals(1, d.stats().inFlight());
        net.close();
        assertEquals(0, seg.refCnt());
        assertEquals(0, d.stats().inFlight());
        ByteBuf late = segment(A, B, 2, 0);
        a.transport().send(A, B, late);
        assertEquals(0, late.refCnt(), "a closed network still releases what it is sent");
    }

    // ---------------------------------------------------------------- more delay, capacity and faults

    @Test
    void ipv6PacketsCountA40ByteHeaderAgainstTheMtu() {
        IpAddress c6 = IpAddress.parse("fd00::c");
        IpAddress d6 = IpAddress.parse("fd00::d");
        SimHost c = net.addHost("c", c6);
        SimHost d = net.addHost("d", d6);
        SimLink link = net.link(c, d, LinkConfig.builder().mtu(1280).build());
        Recorder atD = new Recorder(net::now);
        d.attach(atD);
        c.transport().send(c6, d6, TestSegments.segment(alloc, c6, d6, 1, 1280 - 60)); // exactly 1280
        c.transport().send(c6, d6, TestSegments.segment(alloc, c6, d6, 2, 1280 - 59));
        net.runUntilIdle();
        assertEquals(List.of(1), atD.tags());
        assertTrue(atD.arrivals.get(0).checksumOk());
        assertEquals(1, link.direction(c, d).stats().droppedTooBig());
    }

    @Test
    void jitterStaysWithinItsBoundsAndVaries() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(1)).jitter(Duration.ofMillis(2)));
        for (int i = 0; i < 500; i++) {
            sendAt(i * 10 * MS, i, 0); // far apart: FIFO never has to hold one back
        }
        net.runUntilIdle();
        List<Long> delays = new ArrayList<>();
        for (Arrival x : atB.arrivals) {
            delays.add(x.time() - x.tag() * 10 * MS);
        }
        assertTrue(delays.stream().allMatch(dl -> dl >= 1 * MS && dl <= 3 * MS), delays::toString);
        assertTrue(delays.stream().distinct().count() > 400, "uniform over 2 ms of nanoseconds");
    }

    @Test
    void duplicatesShareNoBytes() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(1)).duplication(1.0));
        List<ByteBuf> kept = new ArrayList<>();
        b.attach((src, dst, seg) -> kept.add(seg));
        for (int i = 0; i < 10; i++) {
            int tag = i;
            net.schedule(i * MS, () -> a.transport().send(A, B, tracked(tag, 30)));
        }
        net.runUntilIdle();
        assertEquals(20, kept.size());
        for (int i = 0; i < 20; i += 2) {
            ByteBuf first = kept.get(i);
            ByteBuf second = kept.get(i + 1);
            assertEquals(first, second, "same bytes");
            first.setByte(first.readerIndex() + 25, first.getByte(first.readerIndex() + 25) ^ 1);
            assertNotEquals(first, second, "but not the same memory");
        }
        kept.forEach(ByteBuf::release);
    }

    @Test
    void corruptionNeverWritesToTheSendersBytes() {
        LinkDirection d = linkAB(LinkConfig.builder().corruption(1.0).duplication(0.5));
        List<ByteBuf> sendersReferences = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ByteBuf seg = tracked(i, i % 97);
            sendersReferences.add(seg.retain()); // as a retransmission queue might keep it
            a.transport().send(A, B, seg);
        }
        net.runUntilIdle();
        assertEquals(500, d.stats().corrupted());
        assertTrue(atB.arrivals.stream().noneMatch(Arrival::checksumOk));
        for (ByteBuf kept : sendersReferences) {
            assertTrue(TestSegments.checksumOk(A, B, kept), "the bit is flipped in a copy");
            kept.release();
        }
    }

    @Test
    void aPartitionNowLetsPacketsAlreadyTravellingArrive() {
        SimLink link = net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(10)).build());
        a.transport().send(A, B, segment(A, B, 1, 0));
        link.partition();
        assertTrue(link.aToB().isPartitioned() && link.bToA().isPartitioned());
        a.transport().send(A, B, segment(A, B, 2, 0));
        link.heal();
        a.transport().send(A, B, segment(A, B, 3, 0));
        net.runUntilIdle();
        assertEquals(List.of(1, 3), atB.tags());
        assertEquals(1, link.aToB().stats().droppedPartition());
    }

    @Test
    void theTwoDirectionsAreIndependent() {
        SimLink link = net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(1)).build(),
                LinkConfig.builder().latency(Duration.ofMillis(7)).loss(1.0).build());
        EchoNode echo = new EchoNode(b);
        b.attach(echo);
        Recorder atA = new Recorder(net::now);
        a.attach(atA);
        a.transport().send(A, B, segment(A, B, 1, 0));
        net.runUntilIdle();
        assertEquals(1, echo.echoed);
        assertTrue(atA.arrivals.isEmpty(), "the way back loses everything");
        assertEquals(1, link.direction(b, a).stats().droppedLoss());
        assertEquals(0, link.direction(a, b).stats().dropped());
        assertSame(link.bToA(), net.direction(b, a));
        assertSame(link.aToB(), link.from(a));
        assertThrows(IllegalArgumentException.class, () -> link.direction(a, a));
    }

    @Test
    void configChangesApplyToLaterPacketsAndKeepFifo() {
        LinkDirection d = linkAB(LinkConfig.builder().latency(Duration.ofMillis(10)));
        a.transport().send(A, B, segment(A, B, 1, 0));
        d.config(d.config().toBuilder().latency(Duration.ofMillis(1)).build());
        a.transport().send(A, B, segment(A, B, 2, 0));
        net.runUntilIdle();
        assertEquals(List.of(1, 2), atB.tags(), "the faster second packet waits for the first");
        assertEquals(List.of(10 * MS, 10 * MS), atB.times());
        a.transport().send(A, B, segment(A, B, 3, 0));
        net.runUntilIdle();
        assertEquals(11 * MS, atB.times().get(2));
    }

    @Test
    void segmentsReachingAHostWithNoNodeAreCounted() {
        LinkDirection d = linkAB(LinkConfig.builder());
        b.attach(null);
        a.transport().send(A, B, tracked(1, 0));
        net.runUntilIdle();
        assertEquals(1, d.stats().droppedNoReceiver());
        assertAccounted(d.stats());
    }

    @Test
    void loopbackIsAnEventNeverASynchronousCall() {
        IpAddress second = IpAddress.parse("10.0.1.1");
        SimHost multi = net.addHost("multi", IpAddress.parse("10.0.0.9"), second);
        Recorder atMulti = new Recorder(net::now);
        multi.attach(atMulti);
        net.advance(Duration.ofSeconds(1));
        multi.transport().send(multi.address(), second, segment(multi.address(), second, 5, 3));
        assertTrue(atMulti.arrivals.isEmpty());
        net.runUntilIdle();
        assertEquals(List.of(1_000 * MS), atMulti.times());
        assertSame(multi, net.host(second));
        assertEquals(0, net.unroutableDrops());
    }

    @Test
    void topologyMistakesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> net.addHost("dup", A));
        assertThrows(IllegalArgumentException.class, () -> net.addHost("none"));
        assertThrows(IllegalArgumentException.class, () -> net.link(a, a, LinkConfig.IDEAL));
        net.link(a, b, LinkConfig.IDEAL);
        assertThrows(IllegalArgumentException.class, () -> net.link(b, a, LinkConfig.IDEAL));
        try (SimNetwork other = new SimNetwork(1)) {
            other.addHost("x", IpAddress.parse("10.9.9.9"));
            other.addHost("y", IpAddress.parse("10.9.9.8"));
            SimHost stranger = other.addHost("z", IpAddress.parse("10.9.9.7"));
            SimHost c = net.addHost("c", IpAddress.parse("10.0.0.3"));
            assertThrows(IllegalArgumentException.class, () -> net.link(c, stranger, LinkConfig.IDEAL));
            assertEquals(List.of(a, b, c), net.hosts());
        }
    }

    // ---------------------------------------------------------------- taps

    @Test
    void theSendTapSeesEachSegmentOnceAsSentAndTheDeliveryTapEachCopyAsDelivered() {
        LinkDirection d = linkAB(LinkConfig.builder().latency(Duration.ofMillis(2)).loss(0.3).duplication(0.3)
                .corruption(0.3));
        List<Arrival> sent = new ArrayList<>();
        List<Arrival> delivered = new ArrayList<>();
        net.addTap((src, dst, seg) -> sent.add(Arrival.of(net.now(), src, dst, seg)));
        net.addDeliveryTap((src, dst, seg) -> delivered.add(Arrival.of(net.now(), src, dst, seg)));
        IpAddress nowhere = IpAddress.parse("192.0.2.1");
        a.transport().send(A, nowhere, segment(A, nowhere, 1000, 0)); // unroutable, still seen by the send tap
        for (int i = 0; i < 200; i++) {
            sendAt(i * MS, i, 10);
        }
        net.runUntilIdle();

        assertEquals(201, sent.size());
        for (int i = 0; i < 200; i++) {
            Arrival x = sent.get(i + 1);
            assertEquals(i, x.tag());
            assertEquals(i * MS, x.time(), "tapped at send time");
            assertTrue(x.checksumOk(), "before any fault");
        }
        LinkStats s = d.stats();
        assertTrue(s.droppedLoss() > 0 && s.duplicated() > 0 && s.corrupted() > 0, s::toString);
        assertEquals(atB.arrivals, delivered, "the delivery tap sees exactly what the node receives");
        assertEquals(s.delivered(), delivered.size());
    }

    // ---------------------------------------------------------------- time and scheduling

    /** A node with one timer that logs when it fires and what it receives. */
    private static final class OneShot implements SimNode {
        private final List<String> log;
        private final String name;
        private long deadline;

        OneShot(List<String> log, String name, long deadline) {
            this.log = log;
            this.name = name;
            this.deadline = deadline;
        }

        @Override
        public long nextDeadline() {
            return deadline;
        }

        @Override
        public void onTime(long nowNanos) {
            log.add(name + "@" + nowNanos);
            deadline = Long.MAX_VALUE;
        }

        @Override
        public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
            log.add(name + " got " + TestSegments.tag(segment));
            segment.release();
        }
    }

    @Test
    void advanceWakesADeadlineOnTimeAndEndsAtTheRequestedInstant() {
        List<String> log = new ArrayList<>();
        long tenMinutes = Duration.ofMinutes(10).toNanos();
        a.attach(new OneShot(log, "a", tenMinutes));
        net.advance(Duration.ofMinutes(9));
        assertTrue(log.isEmpty());
        assertEquals(Duration.ofMinutes(9).toNanos(), net.now());
        net.advance(Duration.ofMinutes(11));
        assertEquals(List.of("a@" + tenMinutes), log);
        assertEquals(Duration.ofMinutes(20).toNanos(), net.now());
        assertEquals(1, net.eventsProcessed(), "twenty virtual minutes, one scheduler step");
        net.advanceTo(Duration.ofMinutes(30).toNanos());
        assertEquals(Duration.ofMinutes(30).toNanos(), net.now());
    }

    @Test
    void simultaneousDeadlinesRunInHostCreationOrderAfterSimultaneousArrivals() {
        List<String> log = new ArrayList<>();
        SimHost zulu = net.addHost("zulu", IpAddress.parse("10.0.0.26"));
        SimHost alpha = net.addHost("alpha", IpAddress.parse("10.0.0.27"));
        net.link(zulu, alpha, LinkConfig.builder().latency(Duration.ofMillis(5)).build());
        zulu.attach(new OneShot(log, "zulu", 5 * MS));
        alpha.attach(new OneShot(log, "alpha", 5 * MS));
        zulu.transport().send(zulu.address(), alpha.address(), segment(zulu.address(), alpha.address(), 77, 0));
        net.runUntilIdle();
        assertEquals(List.of("alpha got 77", "zulu@" + 5 * MS, "alpha@" + 5 * MS), log);
    }

    @Test
    void runUntilChecksTheConditionFirstAndAfterEachEvent() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(4)));
        for (int i = 0; i < 5; i++) {
            sendAt(i * MS, i, 0);
        }
        assertTrue(net.runUntil(() -> true, Duration.ZERO));
        assertEquals(0, net.eventsProcessed(), "nothing ran");
        assertTrue(net.runUntil(() -> atB.arrivals.size() == 2, Duration.ofSeconds(1)));
        assertEquals(5 * MS, net.now());
        assertThrows(IllegalArgumentException.class, () -> net.runUntil(() -> false, Duration.ofNanos(-1)));
    }

    @Test
    void stepRunsOneThingAtATime() {
        linkAB(LinkConfig.builder().latency(Duration.ofMillis(4)));
        List<String> log = new ArrayList<>();
        a.attach(new OneShot(log, "a", 2 * MS));
        a.transport().send(A, B, segment(A, B, 1, 0));
        assertTrue(net.step());
        assertEquals(2 * MS, net.now());
        assertEquals(List.of("a@" + 2 * MS), log);
        assertTrue(atB.arrivals.isEmpty());
        assertTrue(net.step());
        assertEquals(4 * MS, net.now());
        assertEquals(1, atB.arrivals.size());
        assertFalse(net.step());
        assertEquals(4 * MS, net.now());
    }

    @Test
    void scheduledActionsRunInTimeThenInsertionOrder() {
        List<String> log = new ArrayList<>();
        net.schedule(2 * MS, () -> log.add("second"));
        net.schedule(1 * MS, () -> log.add("first"));
        net.schedule(2 * MS, () -> log.add("third"));
        net.schedule(Duration.ofMillis(2), () -> log.add("fourth"));
        net.runUntilIdle();
        assertEquals(List.of("first", "second", "third", "fourth"), log);
    }

    @Test
    void exactlyTheEventLimitIsAllowed() {
        for (int i = 0; i < 10; i++) {
            net.schedule(i, () -> { });
        }
        net.maxEventsPerRun(10);
        net.runUntilIdle();
        assertEquals(10, net.eventsProcessed());
        net.schedule(100, () -> { });
        net.schedule(100, () -> { });
        net.maxEventsPerRun(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, net::runUntilIdle);
        assertTrue(e.getMessage().contains("more than 1 events"), e.getMessage());
    }

    @Test
    void nodesMustNotDriveTheNetwork() {
        linkAB(LinkConfig.builder());
        b.attach((src, dst, seg) -> {
            seg.release();
            net.runUntilIdle();
        });
        a.transport().send(A, B, segment(A, B, 1, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, net::runUntilIdle);
        assertTrue(e.getMessage().contains("from inside"), e.getMessage());
        b.attach(atB);
        a.transport().send(A, B, segment(A, B, 2, 0));
        net.runUntilIdle(); // still usable
        assertEquals(List.of(2), atB.tags());
    }

    // ---------------------------------------------------------------- lifecycle and reporting

    @Test
    void closeReleasesDuplicatesAndCorruptedCopiesToo() {
        LinkDirection d = linkAB(LinkConfig.builder().latency(Duration.ofSeconds(1)).duplication(1.0).corruption(0.5));
        for (int i = 0; i < 50; i++) {
            a.transport().send(A, B, tracked(i, 20));
        }
        assertEquals(100, d.stats().inFlight());
        assertTrue(alloc.unreleasedCount() >= 100);
        net.close();
        assertEquals(0, alloc.unreleasedCount());
        assertEquals(0, d.stats().inFlight());
        assertEquals(100, d.stats().droppedAtClose());
        assertAccounted(d.stats());
        assertTrue(d.stats().toString().contains("at-close=100"), d.stats()::toString);
        net.close(); // idempotent
    }

    @Test
    void statsReadWell() {
        SimLink link = net.link(a, b, LinkConfig.builder().mtu(100).build());
        a.transport().send(A, B, segment(A, B, 1, 0));
        a.transport().send(A, B, segment(A, B, 2, 500));
        net.runUntilIdle();
        assertEquals("sent=2 delivered=1 dropped=1 (loss=0 queue=0 too-big=1 partition=0 no-receiver=0)"
                + " duplicated=0 corrupted=0 reordered=0 in-flight=0", link.aToB().stats().toString());
        assertTrue(link.toString().contains("a -> b: sent=2"), link::toString);
    }

    // ---------------------------------------------------------------- determinism

    @Test
    void theSameSeedGivesTheSameDeliveryTraceCaptureAndCounters() {
        Trace first = tracedRun(99);
        Trace second = tracedRun(99);
        assertTrue(first.deliveries().size() > 300, "the run produced traffic");
        assertTrue(first.deliveries().stream().anyMatch(x -> !x.checksumOk()), "faults were on");
        assertEquals(first.deliveries(), second.deliveries());
        assertArrayEquals(first.pcap(), second.pcap());
        assertEquals(first.stats(), second.stats());
        Trace other = tracedRun(100);
        assertNotEquals(first.deliveries(), other.deliveries(), "another seed gives other traffic");
    }

    private record Trace(List<Arrival> deliveries, byte[] pcap, List<LinkStats> stats) {
    }

    /**
     * Two timer-driven senders (IPv4 and IPv6) through an echo host over links with every fault
     * and a scheduled partition. Records every delivery (time, addresses, bytes) and a capture.
     */
    private static Trace tracedRun(long seed) {
        TrackingAllocator allocator = new TrackingAllocator();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<Arrival> deliveries = new ArrayList<>();
        List<LinkStats> stats = new ArrayList<>();
        try (SimNetwork n = new SimNetwork(seed); PcapWriter pcap = new PcapWriter(file, n.clock(), PcapPrecision.NANOSECONDS)) {
            IpAddress x6 = IpAddress.parse("fd00::1");
            IpAddress server6 = IpAddress.parse("fd00::2");
            SimHost x = n.addHost("x", A);
            SimHost y = n.addHost("y", x6);
            SimHost server = n.addHost("server", B, server6);
            LinkConfig faulty = LinkConfig.builder().latency(Duration.ofMillis(3)).jitter(Duration.ofMillis(2))
                    .bandwidth(5_000_000).queueLimit(8).loss(0.05).duplication(0.05).reordering(0.1)
                    .reorderDelay(Duration.ofMillis(2)).corruption(0.03).build();
            SimLink xs = n.link(x, server, faulty);
            SimLink ys = n.link(y, server, faulty.toBuilder().mtu(200).build(), faulty);
            xs.partitionAt(40 * MS).healAt(55 * MS);
            n.addTap(pcap::writeSegment);
            n.addDeliveryTap((src, dst, seg) -> deliveries.add(Arrival.of(n.now(), src, dst, seg)));
            x.attach(new PingNode(n, x, A, B, 200, 0, 300_000, allocator));
            y.attach(new PingNode(n, y, x6, server6, 200, 100_000, 350_000, allocator));
            server.attach(new EchoNode(server));
            n.runUntilIdle();
            for (SimLink l : List.of(xs, ys)) {
                stats.add(l.aToB().stats());
                stats.add(l.bToA().stats());
            }
        }
        allocator.assertAllReleased();
        return new Trace(deliveries, file.toByteArray(), stats);
    }

    @Test
    void theSameSeedGivesTheSamePcapBytes() {
        byte[] first = faultyRun(1234);
        byte[] second = faultyRun(1234);
        byte[] other = faultyRun(4321);
        assertTrue(first.length > 10_000, "the run produced traffic");
        assertArrayEquals(first, second);
        assertFalse(java.util.Arrays.equals(first, other), "another seed gives other traffic");
    }

    /** Two echo hosts ping-ponging through every fault; the capture is taken at delivery side by side with sends. */
    private static byte[] faultyRun(long seed) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (SimNetwork n = new SimNetwork(seed); PcapWriter pcap = new PcapWriter(file, n.clock(), PcapPrecision.NANOSECONDS)) {
            SimHost x = n.addHost("x", A);
            SimHost y = n.addHost("y", B);
            LinkConfig faulty = LinkConfig.builder().latency(Duration.ofMillis(3)).jitter(Duration.ofMillis(2))
                    .bandwidth(10_000_000).queueLimit(20).loss(0.05).duplication(0.05).reordering(0.1)
                    .corruption(0.02).build();
            n.link(x, y, faulty);
            n.addTap(pcap::writeSegment);
            x.attach(new EchoNode(x));
            y.attach(new EchoNode(y));
            for (int i = 0; i < 50; i++) {
                int tag = i;
                n.schedule(i * 100_000L, () -> x.transport().send(A, B, segment(A, B, tag, tag * 7)));
            }
            n.advance(Duration.ofMillis(400));
        }
        return file.toByteArray();
    }
}
