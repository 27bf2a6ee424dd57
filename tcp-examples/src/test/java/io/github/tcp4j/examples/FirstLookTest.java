package io.github.tcp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.pcap.PcapReader;
import io.github.tcp4j.core.pcap.PcapRecord;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstLookTest {

    @TempDir
    Path dir;

    @Test
    void theConnectionOpensCarriesItsMessageClosesAndLeavesTimeWaitAfter2Msl() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Path pcap = dir.resolve("first-look.pcap");
        ScriptedPeer[] peers = FirstLook.run(new PrintStream(text, true, StandardCharsets.UTF_8), pcap);
        String out = text.toString(StandardCharsets.UTF_8);

        assertEquals(io.github.tcp4j.core.fsm.TcpState.CLOSED, peers[0].state());
        assertEquals(io.github.tcp4j.core.fsm.TcpState.CLOSED, peers[1].state());
        assertEquals("hello, tcp4j", peers[1].received());
        // The client's path through the states, in order, and the server's.
        assertInOrder(out, "client  CLOSED -> SYN_SENT", "retransmission timer expired", "client  SYN_SENT -> ESTABLISHED",
                "client  ESTABLISHED -> FIN_WAIT_1", "client  FIN_WAIT_1 -> FIN_WAIT_2", "client  FIN_WAIT_2 -> TIME_WAIT",
                " 61.040000 s  client  TIME_WAIT -> CLOSED");
        assertInOrder(out, "server  CLOSED -> LISTEN", "server  LISTEN -> SYN_RECEIVED", "server  SYN_RECEIVED -> ESTABLISHED",
                "server  ESTABLISHED -> CLOSE_WAIT", "server  CLOSE_WAIT -> LAST_ACK", "server  LAST_ACK -> CLOSED");

        // The capture holds every segment sent, the lost SYN included, each with a valid checksum.
        List<String> flags = new ArrayList<>();
        try (PcapReader reader = new PcapReader(new FileInputStream(pcap.toFile()))) {
            PcapRecord r;
            while ((r = reader.next()) != null) {
                ByteBuf packet = Unpooled.wrappedBuffer(r.data());
                Ipv4Header ip = Ipv4Header.decode(packet);
                TcpSegment seg = TcpCodec.decode(ip.payloadSlice(packet), ip.source(), ip.destination());
                flags.add(TcpFlags.toString(seg.flags()));
                seg.release();
                packet.release();
            }
        }
        assertEquals(List.of("SYN", "SYN", "SYN,ACK", "ACK", "PSH,ACK", "FIN,ACK", "ACK", "ACK", "FIN,ACK", "ACK"), flags);
        // The ladder diagram shows the lost first SYN and both columns' states.
        assertTrue(out.contains("-------------- SYN seq=4096 --------------X"), out);
        assertInOrder(out, "ladder diagram", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "CLOSE_WAIT", "LAST_ACK",
                "FIN_WAIT_2", "TIME_WAIT", "CLOSED", " 61.040000  CLOSED");
        assertTrue(Files.size(pcap) > 24);
    }

    private static void assertInOrder(String text, String... parts) {
        int at = 0;
        for (String part : parts) {
            int found = text.indexOf(part, at);
            assertTrue(found >= 0, "expected \"" + part + "\" after position " + at + " in:\n" + text);
            at = found + part.length();
        }
    }
}
