package io.github.tcp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.pcap.PcapReader;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tour runs every scenario on the real engine and shows what each is about. */
class TourTest {

    @TempDir
    Path dir;

    private String play(String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(Tour.SCENARIOS.get(name)), dir);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The ladder's lines for one side's states, in order: the left column (client) or the right (server). */
    private static List<String> states(String out, boolean client) {
        Pattern state = Pattern.compile("^ +\\d+\\.\\d{3}  ( +)?([A-Z_0-9]+)$");
        return out.lines().map(state::matcher).filter(m -> m.matches() && (m.group(1) == null) == client)
                .map(m -> m.group(2)).toList();
    }

    @Test
    void everyLineFitsEightyColumnsAndEveryScenarioWritesItsCapture() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.copyOf(Tour.SCENARIOS.values()), dir);
        String out = bytes.toString(StandardCharsets.UTF_8);
        out.lines().forEach(l -> assertTrue(l.length() <= 80, "longer than 80 columns: " + l));
        for (String name : Tour.SCENARIOS.keySet()) {
            Path pcap = dir.resolve("tour-" + name + ".pcap");
            assertTrue(Files.size(pcap) > 24, name);
            try (PcapReader r = new PcapReader(new FileInputStream(pcap.toFile()))) {
                assertTrue(r.next() != null, "a capture holds packets: " + name);
            }
        }
    }

    @Test
    void handshake() {
        String out = play("handshake");
        assertEquals(List.of("SYN_SENT", "ESTABLISHED"), states(out, true));
        assertEquals(List.of("LISTEN", "SYN_RECEIVED", "ESTABLISHED"), states(out, false));
        assertTrue(out.contains("SYN seq=0 -"), out);
        assertTrue(out.contains("SYN,ACK seq=0 ack=1"), out);
        assertTrue(out.contains("server: read() = 5, \"hello\""), out);
    }

    @Test
    void lostSyn() {
        String out = play("lost-syn");
        assertTrue(Pattern.compile("   0\\.000 +-+ SYN seq=0 -+X").matcher(out).find(), "the first SYN is lost: " + out);
        assertTrue(Pattern.compile("   1\\.000 +-+ SYN seq=0 -+>").matcher(out).find(), "resent after 1 s: " + out);
    }

    @Test
    void clientClosesFirst() {
        String out = play("client-closes-first");
        assertEquals(List.of("SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED"), states(out, true));
        assertTrue(states(out, false).containsAll(List.of("CLOSE_WAIT", "LAST_ACK", "CLOSED")));
        assertTrue(out.contains("  60.070  CLOSED"), "TIME_WAIT lasts 2MSL = 60 s: " + out);
    }

    @Test
    void serverClosesFirst() {
        String out = play("server-closes-first");
        assertEquals(List.of("SYN_SENT", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"), states(out, true));
        assertTrue(states(out, false).containsAll(List.of("FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT")));
    }

    @Test
    void finWait1StraightToTimeWait() {
        String out = play("fin-wait-1-to-time-wait");
        assertEquals(List.of("SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT"), states(out, true));
    }

    @Test
    void simultaneousOpen() {
        String out = play("simultaneous-open");
        assertEquals(List.of("SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"), states(out, true));
        assertEquals(List.of("SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"), states(out, false));
    }

    @Test
    void simultaneousClose() {
        String out = play("simultaneous-close");
        assertEquals(List.of("SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "CLOSING", "TIME_WAIT"), states(out, true));
        assertTrue(states(out, false).containsAll(List.of("FIN_WAIT_1", "CLOSING", "TIME_WAIT")));
    }

    @Test
    void refused() {
        String out = play("refused");
        assertTrue(out.contains("RST,ACK seq=0 ack=1"), out);
        assertTrue(out.contains("failure: connection refused"), out);
    }

    @Test
    void brokenPipe() {
        String out = play("broken-pipe");
        assertTrue(out.contains("client: write(\"are you there?\") = 14"), out);
        assertTrue(out.contains("client: write(\"hello?\") failed: connection reset"), out);
        assertTrue(out.contains("client: write(\"hello??\") failed: broken pipe"), out);
    }

    @Test
    void addressInUse() {
        String out = play("address-in-use");
        assertTrue(out.contains("server: listen(80): failed: address already in use"), out);
        assertTrue(out.contains("server: listen(80) with SO_REUSEADDR: ok"), out);
        assertTrue(Pattern.compile("a new connection from port \\d+: ESTABLISHED").matcher(out).find(), out);
    }

    @Test
    void neverCloses() {
        String out = play("never-closes");
        assertTrue(out.contains("client: read() = 10, \"still here\""), out);
        assertTrue(out.contains(" 660.060  CLOSED"), "the orphaned FIN_WAIT_2 ends 60 s after close(): " + out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("  CLOSE_WAIT")), out);
    }

    @Test
    void lostFinalAck() {
        String out = play("lost-final-ack");
        assertTrue(out.contains("----X"), "the final ACK is drawn lost: " + out);
        assertTrue(states(out, false).containsAll(List.of("LAST_ACK", "CLOSED")), out);
        assertEquals(2, out.lines().filter(l -> l.matches(".*<-+ FIN,ACK seq=1 ack=2 .*")).count(), "the FIN is sent twice: " + out);
    }

    @Test
    void helpListsEveryScenario() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tour.printHelp(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        Tour.SCENARIOS.keySet().forEach(name -> assertTrue(out.contains(name), name));
        out.lines().forEach(l -> assertTrue(l.length() <= 80, "longer than 80 columns: " + l));
    }

    @Test
    void synReceivedBackToListen() {
        String out = play("syn-received-to-listen");
        assertEquals(List.of("SYN_SENT", "CLOSED"), states(out, true));
        assertEquals(List.of("LISTEN", "SYN_RECEIVED", "LISTEN"), states(out, false));
        assertTrue(out.contains("RST seq=1 -"), "the client's TCP answers the SYN,ACK with <SEQ=SEG.ACK><CTL=RST>: " + out);
        assertTrue(out.contains("server: accept queue 0, SYN queue 0"), out);
    }

    @Test
    void listenToSynSent() {
        String out = play("listen-to-syn-sent");
        assertEquals(List.of("LISTEN", "SYN_SENT", "ESTABLISHED", "CLOSED"), states(out, true));
        assertTrue(out.contains("client: ESTABLISHED, server: ESTABLISHED"), out);
    }

    @Test
    void synReceivedToFinWait1() {
        String out = play("syn-received-to-fin-wait-1");
        assertEquals(List.of("SYN_SENT", "SYN_RECEIVED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"), states(out, true));
        assertEquals(List.of("SYN_SENT", "SYN_RECEIVED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"), states(out, false));
    }
}
