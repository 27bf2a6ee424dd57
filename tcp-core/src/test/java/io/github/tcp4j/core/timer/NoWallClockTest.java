package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
        Path root = Paths.get("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the tcp-core module directory");
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                scanned++;
                if (file.getFileName().toString().equals("SystemClock.java")) {
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                for (String bad : FORBIDDEN_IN_SOURCES) {
                    if (text.contains(bad)) {
                        offenders.add(root.relativize(file) + " uses " + bad);
                    }
                }
            }
        }
        assertTrue(scanned > 5, "expected to scan the core's sources, found " + scanned);
        assertEquals(List.of(), offenders, "read time through io.github.tcp4j.core.timer.Clock instead");
    }

    @Test
    void onlySystemClockReadsTheClockInClassFiles() throws IOException {
        Path root = Paths.get("target/classes");
        assertTrue(Files.isDirectory(root), "the core must be compiled before its tests run");
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                scanned++;
                if (file.getFileName().toString().equals("SystemClock.class")) {
                    continue;
                }
                // Constant-pool UTF-8 entries are plain ASCII for these names.
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String bad : FORBIDDEN_IN_CLASSES) {
                    if (bytes.contains(bad)) {
                        offenders.add(root.relativize(file) + " refers to " + bad);
                    }
                }
            }
        }
        assertTrue(scanned > 5, "expected to scan the core's classes, found " + scanned);
        assertEquals(List.of(), offenders, "read time through io.github.tcp4j.core.timer.Clock instead");
    }
}
