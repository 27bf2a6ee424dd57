package io.github.tcp4j.core.transport;

import static io.github.tcp4j.core.transport.TestSegments.segment;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.pcap.PcapPrecision;
import io.github.tcp4j.core.pcap.PcapWriter;
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

    @BeforeEach
    void setUp() {
        net = new SimNetwork(7);
        a = net.addHost("a", A);
        b = net.addHost("b", B);
        atB = new Recorder(net::now);
        b.attach(atB);
    }

    @AfterEach
    void tearDown() {
        net.close();
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
        for (int i = 0; i < 5; i++) {
            sendAt(0, i, 85);
        }
        sendAt(3 * MS, 9, 85); // the queue has drained by then
        net.runUntilIdle();
        assertEquals(List.of(0, 1, 2, 9), atB.tags());
        assertEquals(2, d.stats().droppedQueueFull());
        assertEquals(6, d.stats().sent());
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
