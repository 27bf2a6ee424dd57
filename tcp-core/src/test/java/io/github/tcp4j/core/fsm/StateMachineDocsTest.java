package io.github.tcp4j.core.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The committed state-machine docs are exactly what the table generates. Regenerate with
 * {@code mvn -pl tcp-core -am test -Dtest=StateMachineDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dtest.extraArgs=-Dtcp4j.regenerateDocs=true}.
 */
class StateMachineDocsTest {

    private static final Path DOCS = Paths.get("..", "docs");

    @Test
    void committedDocsMatchTheTable() throws IOException {
        check(DOCS.resolve("state-machine.md"), StateMachineDocs.markdown(TransitionTable.standard()));
        check(DOCS.resolve("state-machine.dot"), StateMachineDocs.dot(TransitionTable.standard()));
    }

    @Test
    void theDocsShowTheClassicTransitions() {
        String md = StateMachineDocs.markdown(TransitionTable.standard());
        assertTrue(md.contains("    FIN_WAIT_1 --> CLOSING : FIN\n"), "simultaneous close is drawn");
        assertTrue(md.contains("    SYN_SENT --> SYN_RECEIVED : SYN\n"), "simultaneous open is drawn");
        assertTrue(md.contains("    FIN_WAIT_1 --> TIME_WAIT : FIN + ACK of our FIN\n"));
        assertTrue(md.contains("### CLOSING (CLOSING)"));
        String dot = StateMachineDocs.dot(TransitionTable.standard());
        assertTrue(dot.contains("TIME_WAIT -> CLOSED [label=\""), dot);
    }

    private static void check(Path file, String generated) throws IOException {
        if (Boolean.getBoolean("tcp4j.regenerateDocs")) {
            Files.writeString(file, generated, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file), file + " is missing: regenerate it (see the class comment)");
        assertEquals(generated, Files.readString(file, StandardCharsets.UTF_8),
                file + " drifted from the transition table: regenerate it (see the class comment)");
    }
}
