package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.pcap.PcapPrecision;
import io.github.tcp4j.core.pcap.PcapReader;
import io.github.tcp4j.core.pcap.PcapRecord;
import io.github.tcp4j.core.pcap.PcapWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Every packet through the channel, both ways, lands in the capture, in order, with wall-clock times. */
class CapturingPacketChannelTest {

    @Test
    void recordsWhatIsWrittenAndRead() throws IOException {
        PacketPipe pipe = new PacketPipe();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        CapturingPacketChannel c = new CapturingPacketChannel(pipe.a,
                new PcapWriter(file, CapturingPacketChannel.wallClock(), PcapPrecision.MICROSECONDS));
        c.write(Unpooled.wrappedBuffer(new byte[] {0x45, 1}));
        pipe.b.write(Unpooled.wrappedBuffer(new byte[] {0x45, 2, 2}));
        ByteBuf read = c.read();
        read.release();
        assertEquals(2, c.packetsRecorded());
        c.close();
        pipe.b.close();
        long now = Instant.now().getEpochSecond();
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file.toByteArray()))) {
            PcapRecord first = reader.next();
            PcapRecord second = reader.next();
            assertArrayEquals(new byte[] {0x45, 1}, first.data());
            assertArrayEquals(new byte[] {0x45, 2, 2}, second.data());
            assertTrue(Math.abs(first.timestampNanos() / 1_000_000_000L - now) < 60, "wall-clock time");
            assertNull(reader.next());
        }
    }
}
