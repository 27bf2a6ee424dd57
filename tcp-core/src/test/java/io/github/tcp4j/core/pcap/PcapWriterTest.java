package io.github.tcp4j.core.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tcp4j.core.timer.ManualClock;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class PcapWriterTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");
    private static final IpAddress A6 = IpAddress.parse("fd00::1");
    private static final IpAddress B6 = IpAddress.parse("fd00::2");

    @ParameterizedTest
    @EnumSource(PcapPrecision.class)
    void segmentsReadBackWithTheirTimestampsAndChecksums(PcapPrecision precision) throws Exception {
        ManualClock clock = new ManualClock(1_500_000_000L + 123_456_789L); // 1.623456789 s
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<TcpSegment> sent = new ArrayList<>();
        try (PcapWriter pcap = new PcapWriter(file, clock, precision)) {
            sent.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(1).flags(TcpFlags.SYN).window(65535).mss(1460));
            sent.add(new TcpSegment().sourcePort(80).destinationPort(40000).seq(9).ack(2)
                    .flags(TcpFlags.SYN | TcpFlags.ACK).window(65535).mss(1400));
            sent.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(2).ack(10)
                    .flags(TcpFlags.ACK | TcpFlags.PSH).window(500).payload(Unpooled.wrappedBuffer("GET /".getBytes())));
            for (int i = 0; i < sent.size(); i++) {
                TcpSegment s = sent.get(i);
                boolean fromA = s.sourcePort() == 40000;
                ByteBuf wire = TcpCodec.encode(s, fromA ? A : B, fromA ? B : A, ByteBufAllocator.DEFAULT);
                pcap.writeSegment(fromA ? A : B, fromA ? B : A, wire);
                assertEquals(0, wire.readerIndex(), "the writer borrows, it does not consume");
                wire.release();
                clock.advance(1_000_000_007L);
            }
            ByteBuf v6 = TcpCodec.encode(new TcpSegment().sourcePort(1).destinationPort(2).flags(TcpFlags.RST), A6, B6,
                    ByteBufAllocator.DEFAULT);
            pcap.writeSegment(A6, B6, v6);
            v6.release();
            assertEquals(4, pcap.packetsWritten());
        }

        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file.toByteArray()))) {
            assertEquals(precision, reader.precision());
            assertEquals(PcapWriter.LINKTYPE_RAW, reader.linkType());
            long expectedTime = 1_623_456_789L;
            for (int i = 0; i < sent.size(); i++) {
                PcapRecord r = reader.next();
                long unit = precision.nanosPerUnit();
                assertEquals(expectedTime / unit * unit, r.timestampNanos(), "timestamp of record " + i);
                expectedTime += 1_000_000_007L;
                ByteBuf packet = Unpooled.wrappedBuffer(r.data());
                Ipv4Header ip = Ipv4Header.decode(packet);
                assertEquals(i, ip.identification(), "identifications count up");
                assertEquals(r.originalLength(), ip.totalLength());
                TcpSegment back = TcpCodec.decode(ip.payloadSlice(packet), ip.source(), ip.destination());
                assertEquals(sent.get(i), back);
                back.release();
                packet.release();
                sent.get(i).release();
            }
            PcapRecord v6 = reader.next();
            assertEquals(0x60, v6.data()[0] & 0xF0, "an IPv6 header was synthesized");
            assertEquals(40 + 20, v6.data().length);
            ByteBuf seg = Unpooled.wrappedBuffer(Arrays.copyOfRange(v6.data(), 40, 60));
            assertEquals(TcpFlags.RST, TcpCodec.decode(seg, A6, B6).flags());
            seg.release();
            assertNull(reader.next());
        }
    }

    @Test
    void identicalCallsGiveIdenticalBytes() {
        assertEquals(Arrays.toString(capture()), Arrays.toString(capture()));
    }

    private static byte[] capture() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (PcapWriter pcap = new PcapWriter(file, new ManualClock(42), PcapPrecision.NANOSECONDS)) {
            ByteBuf wire = TcpCodec.encode(new TcpSegment().sourcePort(5).destinationPort(6).flags(TcpFlags.FIN), A, B,
                    ByteBufAllocator.DEFAULT);
            pcap.writeSegment(A, B, wire);
            pcap.writeSegment(A, B, wire);
            wire.release();
        }
        return file.toByteArray();
    }

    @Test
    void truncatedFilesAreTypedErrors() throws Exception {
        byte[] whole = capture();
        assertThrows(PcapFormatException.class, () -> new PcapReader(new ByteArrayInputStream(new byte[10])));
        byte[] badMagic = whole.clone();
        badMagic[0] = 0;
        assertThrows(PcapFormatException.class, () -> new PcapReader(new ByteArrayInputStream(badMagic)));
        for (int cut : new int[] {24 + 5, 24 + 16 + 3}) {
            try (PcapReader r = new PcapReader(new ByteArrayInputStream(Arrays.copyOf(whole, cut)))) {
                assertThrows(PcapFormatException.class, r::next);
            }
        }
    }

    @Test
    void bigEndianFilesAreReadToo() throws IOException {
        byte[] le = capture();
        // Rewrite the file header and the first record header in big-endian order.
        byte[] be = le.clone();
        for (int[] field : new int[][] {{0, 4}, {4, 2}, {6, 2}, {16, 4}, {20, 4}, {24, 4}, {28, 4}, {32, 4}, {36, 4}}) {
            for (int i = 0; i < field[1]; i++) {
                be[field[0] + i] = le[field[0] + field[1] - 1 - i];
            }
        }
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(Arrays.copyOf(be, 24 + 16 + 40)))) {
            PcapRecord rec = r.next();
            assertEquals(42, rec.timestampNanos());
            assertEquals(40, rec.originalLength());
        }
    }
}
