package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Time enters tcp-core only through {@link Clock}: no class but {@link SystemClock} may read the
 * machine's clock. Checked twice: on the sources (readable failures) and on the compiled classes'
 * constant pools (which also catch static imports and odd spacing).
 */
class NoWallClockTest {

    /** Method and class names that read the machine's clock, as they appear in class files. */
    private static final List<String> FORBIDDEN_IN_CLASSES = List.of(
            "currentTimeMillis", "nanoTime", "java/time/Clock", "java/time/Instant", "java/time/LocalDateTime",
            "java/time/ZonedDateTime", "java/time/OffsetDateTime", "java/util/Date", "java/util/Calendar");

    /** The same, as source text. */
    private static final List<String> FORBIDDEN_IN_SOURCES = List.of(
            "System.nanoTime", "System.currentTimeMillis", "Instant.now", "LocalDateTime.now", "ZonedDateTime.now",
            "OffsetDateTime.now", "java.time.Clock", "new Date(", "Calendar.getInstance");

    @Test
    void onlySystemClockReadsTheClockInSources() throws IOException {
        assertNoReader(Paths.get("src/main/java"), ".java", FORBIDDEN_IN_SOURCES, StandardCharsets.UTF_8);
    }

    @Test
    void onlySystemClockReadsTheClockInClassFiles() throws IOException {
        // Constant-pool UTF-8 entries are plain ASCII for these names.
        assertNoReader(Paths.get("target/classes"), ".class", FORBIDDEN_IN_CLASSES, StandardCharsets.ISO_8859_1);
    }

    private static void assertNoReader(Path root, String suffix, List<String> forbidden, Charset charset) throws IOException {
        assertTrue(Files.isDirectory(root), root + " must exist: run from the tcp-core module after compiling");
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(suffix))::iterator) {
                scanned++;
                if (file.getFileName().toString().equals("SystemClock" + suffix)) {
                    continue;
                }
                String text = new String(Files.readAllBytes(file), charset);
                for (String bad : forbidden) {
                    if (text.contains(bad)) {
                        offenders.add(root.relativize(file) + " uses " + bad);
                    }
                }
            }
        }
        assertTrue(scanned > 5, "expected to scan the core's " + suffix + " files, found " + scanned);
        assertEquals(List.of(), offenders, "read time through io.github.tcp4j.core.timer.Clock instead");
    }
}
