package io.github.tcp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The articles' echo session on the simulated network: echoes, then "server close" when the server closes. */
class EchoExampleTest {

    @Test
    void theClientPrintsEachEchoThenServerClose() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EchoPair.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of("hello", "world", "anyone there?"), 2);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.contains("echo_cli: hello"), lines.toString());
        assertTrue(lines.contains("echo_cli: world"), lines.toString());
        assertTrue(lines.contains("echo_serv: closing the connection"), lines.toString());
        assertEquals(1, lines.stream().filter("server close"::equals).count(), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("anyone there?") && l.startsWith("echo_cli")),
                "the third line gets no echo: the server had closed");
        // The third line reached a server whose application had closed: it answered RST, so no
        // TIME_WAIT stays behind on the server, only its listener (the articles' write-after-close case).
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("LISTEN")), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("TIME_WAIT") || l.startsWith("FIN_WAIT")), lines.toString());
    }
}
