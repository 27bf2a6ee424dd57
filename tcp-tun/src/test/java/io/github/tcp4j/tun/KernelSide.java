package io.github.tcp4j.tun;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Linux side of the interop tests: a network namespace of their own ({@code tcp4j-PID-NAME}, with
 * {@code lo} up) holding a persistent TUN interface {@code tcp4j0} whose kernel address is
 * 10.77.0.1/24; the tcp4j stack plays 10.77.0.2 behind it. Nothing the tests send leaves the
 * namespace, and it is deleted when the tests end (on failure too: {@link #close()} runs from
 * {@code @AfterAll}, a shutdown hook backs it up, and namespaces of test runs that died are
 * removed the next time).
 *
 * <p>The test JVM itself stays in the machine's namespace: {@link TunDevice#open(String, Path)}
 * attaches the interface from a thread that entered the namespace, and everything of the kernel's
 * side (a {@link KernelPeer} JVM, curl, nc, ss) runs under {@code ip netns exec}.
 */
final class KernelSide implements AutoCloseable {

    static final String KERNEL_ADDRESS = "10.77.0.1";
    static final String STACK_ADDRESS = "10.77.0.2";
    static final String DEVICE = "tcp4j0";
    private static final String PREFIX = "tcp4j-";

    final String namespace;
    private final Thread cleanupHook;
    private final List<PeerProcess> peers = new ArrayList<>();

    private KernelSide(String namespace) {
        this.namespace = namespace;
        this.cleanupHook = new Thread(this::deleteNamespace, "tcp4j-netns-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Why the interop tests cannot run here, or null if they can. */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "not Linux";
        }
        if (!Files.exists(Paths.get("/dev/net/tun"))) {
            return "/dev/net/tun does not exist";
        }
        try {
            Result id = exec(Duration.ofSeconds(10), "id", "-u");
            if (!id.output().trim().equals("0")) {
                return "not root (network namespaces and TUN interfaces need CAP_NET_ADMIN)";
            }
            Result ip = exec(Duration.ofSeconds(10), "ip", "netns", "list");
            if (ip.exit() != 0) {
                return "'ip netns' does not work: " + ip.output().trim();
            }
        } catch (IOException e) {
            return "cannot run id/ip (install iproute2): " + e.getMessage();
        }
        return null;
    }

    /**
     * Skips the calling test, printing why, unless the command {@code tool} is installed
     * ({@code .ci/run} installs curl, nc, ping and socat when it runs as root).
     */
    static void assumeTool(String tool) {
        boolean present;
        try {
            present = exec(Duration.ofSeconds(10), "sh", "-c", "command -v " + tool).exit() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present) {
            System.out.println("[tcp4j interop] SKIPPED: " + tool + " is not installed");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, tool + " is not installed");
    }

    /**
     * Makes the namespace {@code tcp4j-PID-NAME} and its interface; first removes namespaces of
     * earlier runs whose JVM is gone.
     */
    static KernelSide create(String name) throws IOException {
        removeStaleNamespaces();
        String ns = PREFIX + ProcessHandle.current().pid() + "-" + name;
        KernelSide k = new KernelSide(ns);
        try {
            k.mustRun("ip", "netns", "add", ns);
            k.mustRun("ip", "-n", ns, "link", "set", "lo", "up");
            k.mustRun("ip", "-n", ns, "tuntap", "add", "dev", DEVICE, "mode", "tun");
            k.mustRun("ip", "-n", ns, "addr", "add", KERNEL_ADDRESS + "/24", "dev", DEVICE);
            k.mustRun("ip", "-n", ns, "link", "set", DEVICE, "up");
        } catch (IOException | RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    private static void removeStaleNamespaces() throws IOException {
        for (String line : exec(Duration.ofSeconds(10), "ip", "netns", "list").output().split("\n")) {
            String name = line.trim().split(" ")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            try {
                String rest = name.substring(PREFIX.length());
                long pid = Long.parseLong(rest.contains("-") ? rest.substring(0, rest.indexOf('-')) : rest);
                if (ProcessHandle.of(pid).isEmpty()) {
                    exec(Duration.ofSeconds(10), "ip", "netns", "delete", name);
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
    }

    /** The namespace's file, for {@link TunDevice#open(String, Path)}. */
    Path namespaceFile() {
        return Paths.get("/var/run/netns", namespace);
    }

    /** Attaches a new {@link TunDevice} to the namespace's interface. */
    TunDevice attach() throws IOException {
        return TunDevice.open(DEVICE, namespaceFile());
    }

    /** Starts a {@link KernelPeer} in the namespace with {@code args} (connect/listen HOST PORT). */
    PeerProcess peer(String... args) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), KernelPeer.class.getName()));
        cmd.addAll(List.of(args));
        PeerProcess p = new PeerProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        peers.add(p);
        return p;
    }

    /** Runs {@code command} in the namespace and returns its exit status and output (stdout and stderr). */
    Result run(Duration timeout, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(List.of(command));
        return exec(timeout, cmd.toArray(String[]::new));
    }

    /** {@code ss -tan} in the namespace: one entry per TCP socket. */
    List<KernelSocket> sockets() throws IOException {
        Result r = run(Duration.ofSeconds(10), "ss", "-tanH");
        List<KernelSocket> result = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5) {
                result.add(new KernelSocket(f[0], ipv4(f[3]), ipv4(f[4])));
            }
        }
        return result;
    }

    /** "[::ffff:10.77.0.1]:5000" (a dual-stack Java socket) as "10.77.0.1:5000"; other endpoints unchanged. */
    private static String ipv4(String endpoint) {
        return endpoint.startsWith("[::ffff:") ? endpoint.substring(8).replace("]:", ":") : endpoint;
    }

    /** One line of {@code ss -tan}: the state as ss names it (TIME-WAIT, ESTAB...), local and peer "address:port". */
    record KernelSocket(String state, String local, String peer) {
    }

    /** The outcome of a command. */
    record Result(int exit, String output) {
    }

    static Result exec(Duration timeout, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the process went away
            }
        });
        pump.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
            }
            pump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
        synchronized (out) {
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        }
    }

    private void mustRun(String... command) throws IOException {
        Result r = exec(Duration.ofSeconds(30), command);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output().trim());
        }
    }

    /** Stops the peers still running. */
    void stopPeers() throws InterruptedException {
        for (PeerProcess p : peers) {
            p.close();
        }
        peers.clear();
    }

    /** Stops the peers and deletes the namespace (with its interface). */
    @Override
    public void close() {
        try {
            stopPeers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteNamespace();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private void deleteNamespace() {
        try {
            exec(Duration.ofSeconds(30), "ip", "netns", "delete", namespace);
        } catch (IOException e) {
            System.err.println("[tcp4j interop] could not delete network namespace " + namespace + ": " + e.getMessage());
        }
    }
}
