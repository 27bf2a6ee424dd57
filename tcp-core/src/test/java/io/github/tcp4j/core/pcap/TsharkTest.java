package io.github.tcp4j.core.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.timer.ManualClock;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent judge of our bytes: Wireshark's dissector (tshark) reads a capture of a
 * realistic exchange and must find every packet well-formed with good IP and TCP checksums.
 * Skipped, with the reason printed, where tshark is not installed.
 */
class TsharkTest {

    private static final IpAddress CLIENT = IpAddress.parse("10.77.0.2");
    private static final IpAddress SERVER = IpAddress.parse("10.77.0.1");
    private static final IpAddress CLIENT6 = IpAddress.parse("fd77::2");
    private static final IpAddress SERVER6 = IpAddress.parse("fd77::1");

    @TempDir
    Path dir;

    @Test
    void tsharkFindsNoMalformedPacketAndNoBadChecksum() throws Exception {
        String version = run(List.of("tshark", "-v"), 60);
        if (version == null || !version.contains("TShark")) {
            String reason = "tshark not installed (apt-get install tshark): skipping TsharkTest";
            System.out.println("[TsharkTest] " + reason);
            Assumptions.assumeTrue(false, reason);
        }
        Path file = dir.resolve("exchange.pcap");
        int written;
        try (PcapWriter pcap = new PcapWriter(new FileOutputStream(file.toFile()), new ManualClock(), PcapPrecision.NANOSECONDS)) {
            written = writeExchange(pcap, CLIENT, SERVER) + writeExchange(pcap, CLIENT6, SERVER6);
        }

        String fields = run(List.of("tshark", "-n", "-r", file.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|",
                "-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.checksum.status",
                "-e", "ip.checksum.status", "-e", "_ws.malformed", "-e", "_ws.expert.message"), 120);
        assertTrue(fields != null, "tshark failed to read " + file);
        List<String> lines = fields.lines().filter(l -> !l.isBlank() && Character.isDigit(l.charAt(0))).toList();
        assertEquals(written, lines.size(), "tshark saw every packet:\n" + fields);
        for (String line : lines) {
            String[] f = line.split("\\|", -1);
            assertTrue(!f[1].isEmpty(), "decoded as TCP: " + line);
            assertEquals("1", f[2], "TCP checksum good (1) in: " + line);
            assertTrue(f[3].isEmpty() || f[3].equals("1"), "IPv4 header checksum good in: " + line);
            assertTrue(f[4].isEmpty(), "not malformed: " + line);
            String expert = f.length > 5 ? f[5].toLowerCase() : "";
            assertTrue(!expert.contains("malformed") && !expert.contains("bad checksum") && !expert.contains("incorrect"),
                    "no checksum or malformation warning: " + line);
        }
        System.out.println("[TsharkTest] tshark decoded " + lines.size() + " packets cleanly");
    }

    /** A handshake with Linux-like options, data both ways, a SACK, a FIN exchange and a RST. */
    private static int writeExchange(PcapWriter pcap, IpAddress c, IpAddress s) {
        List<TcpSegment> segments = new ArrayList<>();
        int iss = 0xFFFF_FF00; // wraps during the exchange
        int irs = 1000;
        segments.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(iss).flags(TcpFlags.SYN).window(64240)
                .mss(1460).sackPermitted(true).timestamps(1, 0).windowScale(7));
        segments.add(new TcpSegment().sourcePort(80).destinationPort(40000).seq(irs).ack(iss + 1)
                .flags(TcpFlags.SYN | TcpFlags.ACK).window(65160).mss(1460).sackPermitted(true).timestamps(7, 1).windowScale(7));
        segments.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(iss + 1).ack(irs + 1).flags(TcpFlags.ACK)
                .window(502).timestamps(2, 7));
        segments.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(iss + 1).ack(irs + 1)
                .flags(TcpFlags.ACK | TcpFlags.PSH).window(502).timestamps(3, 7)
                .payload(Unpooled.copiedBuffer("GET / HTTP/1.0\r\n\r\n", StandardCharsets.US_ASCII)));
        segments.add(new TcpSegment().sourcePort(80).destinationPort(40000).seq(irs + 1).ack(iss + 19)
                .flags(TcpFlags.ACK).window(509).timestamps(8, 3).addSackBlock(iss + 40, iss + 80).addSackBlock(iss + 90, iss + 95)
                .payload(Unpooled.wrappedBuffer(new byte[1001])));
        segments.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(iss + 19).ack(irs + 1002)
                .flags(TcpFlags.ACK | TcpFlags.FIN).window(502).timestamps(4, 8));
        segments.add(new TcpSegment().sourcePort(80).destinationPort(40000).seq(irs + 1002).ack(iss + 20)
                .flags(TcpFlags.ACK | TcpFlags.FIN | TcpFlags.URG).urgentPointer(0).window(509).timestamps(9, 4));
        segments.add(new TcpSegment().sourcePort(40000).destinationPort(80).seq(iss + 20).flags(TcpFlags.RST));
        for (TcpSegment seg : segments) {
            boolean fromClient = seg.sourcePort() == 40000;
            IpAddress src = fromClient ? c : s;
            IpAddress dst = fromClient ? s : c;
            ByteBuf wire = TcpCodec.encode(seg, src, dst, ByteBufAllocator.DEFAULT);
            pcap.writeSegment(src, dst, wire);
            wire.release();
            seg.release();
        }
        return segments.size();
    }

    /** Runs a command; its standard output, or null if it could not run or failed. */
    private static String run(List<String> command, int timeoutSeconds) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
