package io.github.tcp4j.tun;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link KernelPeer} process seen from the test: commands go to its stdin, and its report lines
 * are collected so a test can wait for the next one that starts with a given word.
 */
final class PeerProcess implements AutoCloseable {

    private final Process process;
    private final OutputStream stdin;
    private final List<String> lines = new ArrayList<>();
    private int consumedUpTo;

    PeerProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
            synchronized (lines) {
                lines.add("<exited>");
                lines.notifyAll();
            }
        }, "kernel-peer-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Sends one command line. */
    void command(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /**
     * Waits for the first report line not yet taken that starts with {@code word}, and takes it
     * (lines of other words stay for later calls).
     *
     * @throws AssertionError naming everything the peer said, if none comes within {@code timeout}
     */
    String await(String word, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (int i = 0; i < lines.size(); i++) {
                    String l = lines.get(i);
                    if (l != null && (l.equals(word) || l.startsWith(word + " "))) {
                        lines.set(i, null);
                        return l;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the kernel peer did not report " + word + " within " + timeout + "; it said: "
                            + said());
                }
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Everything the peer reported so far. */
    String said() {
        synchronized (lines) {
            return lines.stream().filter(l -> l != null).toList().toString();
        }
    }

    /** Asks it to exit and waits, killing it if it does not. */
    @Override
    public void close() throws InterruptedException {
        try {
            command("exit");
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
