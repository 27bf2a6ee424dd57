package io.github.tcp4j.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.api.CapturingPacketChannel;
import io.github.tcp4j.api.ConnectionResetException;
import io.github.tcp4j.api.FaultInjectingPacketChannel;
import io.github.tcp4j.api.FaultInjectingPacketChannel.Faults;
import io.github.tcp4j.api.Ipv4PacketTransport;
import io.github.tcp4j.api.NegotiatedOptions;
import io.github.tcp4j.api.PacketChannel;
import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.host.ConnectionInfo;
import io.github.tcp4j.core.pcap.PcapPrecision;
import io.github.tcp4j.core.pcap.PcapReader;
import io.github.tcp4j.core.pcap.PcapRecord;
import io.github.tcp4j.core.pcap.PcapWriter;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * tcp4j against the Linux kernel's TCP, over a real TUN interface, in a network namespace of the
 * test run's own (see {@link KernelSide}): the kernel at 10.77.0.1, a tcp4j stack at 10.77.0.2.
 * The kernel's end is a {@code java.net} socket in a separate JVM ({@link KernelPeer}), or curl,
 * or nc. Skipped, with the reason printed, where that cannot be set up (not root, no
 * {@code /dev/net/tun}, no {@code ip}).
 *
 * <p>Each scenario runs both ways round ({@link Opener}): the kernel connecting to a tcp4j
 * listener, and tcp4j connecting to a kernel listener. After each test, {@link #nothingLeftOpen()}
 * checks that no connection on either side is in any state but TIME_WAIT (polling while the last
 * segments travel).
 *
 * <p>System properties: {@code tcp4j.interop.bytes} (bytes each way of the transfers, default
 * 100 MiB), {@code tcp4j.interop.lossBytes} (the same under 1% loss), {@code tcp4j.interop.seed}
 * (the fault injector's seed).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TunInteropTest {

    private static final long MIB = 1024 * 1024;
    private static final long BYTES = Long.getLong("tcp4j.interop.bytes", 100 * MIB);
    private static final long LOSS_BYTES = Long.getLong("tcp4j.interop.lossBytes", 100 * MIB);
    private static final long SEED = Long.getLong("tcp4j.interop.seed", 7);
    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final String EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(5000);

    private static KernelSide kernel;

    /** Who opens the connection. */
    enum Opener {
        /** A kernel socket connects to a tcp4j listener (tcp4j is the server). */
        KERNEL_CLIENT,
        /** tcp4j connects to a kernel listener. */
        TCP4J_CLIENT
    }

    private TcpStack stack;
    private Ipv4PacketTransport transport;
    private FaultInjectingPacketChannel faults;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void createNamespace() throws IOException {
        String why = KernelSide.unavailableReason();
        if (why != null) {
            System.out.println("[tcp4j interop] SKIPPED: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        kernel = KernelSide.create("interop");
        System.out.println("[tcp4j interop] network namespace " + kernel.namespace + ", kernel " + KernelSide.KERNEL_ADDRESS
                + " on " + KernelSide.DEVICE + ", tcp4j " + KernelSide.STACK_ADDRESS + "; " + BYTES + " bytes each way ("
                + LOSS_BYTES + " under loss), seed " + SEED);
    }

    @AfterAll
    static void deleteNamespace() {
        if (kernel != null) {
            kernel.close();
        }
    }

    /** A stack at 10.77.0.2 on the interface, behind a fault injector (none unless asked) and optionally a capture. */
    private TcpStack startStack(Faults inbound, Faults outbound, Path pcap) throws IOException {
        PacketChannel channel = kernel.attach();
        if (pcap != null) {
            channel = new CapturingPacketChannel(channel,
                    new PcapWriter(new BufferedOutputStream(Files.newOutputStream(pcap)), CapturingPacketChannel.wallClock(),
                            PcapPrecision.MICROSECONDS));
        }
        faults = new FaultInjectingPacketChannel(channel, SEED, inbound, outbound);
        transport = new Ipv4PacketTransport(faults, IpAddress.parse(KernelSide.STACK_ADDRESS));
        stack = TcpStack.builder().name("tcp4j").address(KernelSide.STACK_ADDRESS).transport(transport).build();
        return stack;
    }

    private TcpStack startStack() throws IOException {
        return startStack(Faults.NONE, Faults.NONE, null);
    }

    @AfterEach
    void nothingLeftOpen() throws Exception {
        try {
            if (stack != null) {
                awaitSettled();
            }
        } finally {
            kernel.stopPeers();
            if (stack != null) {
                stack.close();
                System.out.println("[tcp4j interop]   " + transport + "; " + faults);
            }
            pool.shutdownNow();
        }
    }

    /** Polls until both sides hold nothing but TIME_WAIT, then asserts it. */
    private void awaitSettled() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<KernelSide.KernelSocket> kernelOpen;
        List<ConnectionInfo> ourOpen;
        do {
            kernelOpen = kernel.sockets().stream().filter(s -> !s.state().equals("TIME-WAIT")).toList();
            ourOpen = stack.connections().stream().filter(c -> c.state() != TcpState.TIME_WAIT).toList();
            if (kernelOpen.isEmpty() && ourOpen.isEmpty()) {
                return;
            }
            Thread.sleep(20); // waiting for the kernel's last segments (real time), not an assertion
        } while (System.nanoTime() < deadline);
        assertTrue(kernelOpen.isEmpty(), "kernel sockets not closed: " + kernelOpen);
        assertTrue(ourOpen.isEmpty(), "tcp4j connections not closed:\n" + ConnectionInfo.format(ourOpen));
    }

    // ------------------------------------------------------------------ connecting

    /** One connection between the kernel's peer process and a tcp4j socket. */
    private record Connection(TcpSocket ours, PeerProcess peer, String kernelEnd, String ourEnd) {
    }

    private Connection open(Opener opener) throws Exception {
        int port = NEXT_PORT.getAndIncrement();
        if (opener == Opener.KERNEL_CLIENT) {
            try (TcpServerSocket listener = stack.listen(port)) {
                listener.setSoTimeout(20_000);
                PeerProcess peer = kernel.peer("connect", KernelSide.STACK_ADDRESS, Integer.toString(port));
                String connected = peer.await("CONNECTED", SHORT);
                TcpSocket ours = listener.accept();
                assertEquals(TcpState.ESTABLISHED, ours.state());
                return new Connection(ours, peer, KernelSide.KERNEL_ADDRESS + ":" + connected.split(" ")[1],
                        KernelSide.STACK_ADDRESS + ":" + port);
            }
        }
        PeerProcess peer = kernel.peer("listen", KernelSide.KERNEL_ADDRESS, Integer.toString(port));
        peer.await("LISTENING", SHORT);
        TcpSocket ours = stack.connect(new InetSocketAddress(KernelSide.KERNEL_ADDRESS, port));
        assertEquals(TcpState.ESTABLISHED, ours.state());
        peer.await("ACCEPTED", SHORT);
        return new Connection(ours, peer, KernelSide.KERNEL_ADDRESS + ":" + port,
                KernelSide.STACK_ADDRESS + ":" + ours.getLocalSocketAddress().getPort());
    }

    // ------------------------------------------------------------------ transfers

    @ParameterizedTest
    @EnumSource(Opener.class)
    void handshakeThenTransferEachWayWithSha256(Opener opener) throws Exception {
        startStack();
        transferBothWays(open(opener), BYTES, opener + "");
    }

    @ParameterizedTest
    @EnumSource(Opener.class)
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void transferEachWayUnderOnePercentLossBothWays(Opener opener) throws Exception {
        // 1% loss each way, and a few packets duplicated or overtaken, so both sides' recovery runs
        Faults faults = new Faults(0.01, 0.002, 0.005);
        startStack(faults, faults, null);
        transferBothWays(open(opener), LOSS_BYTES, opener + " under 1% loss");
        FaultInjectingPacketChannel f = this.faults;
        assertTrue(f.droppedInbound() > 0 && f.droppedOutbound() > 0, "packets were lost both ways: " + f);
        assertTrue(f.duplicatedInbound() + f.duplicatedOutbound() > 0 && f.reorderedInbound() + f.reorderedOutbound() > 0,
                "and some duplicated and reordered: " + f);
    }

    /**
     * Both ends send {@code bytes} at once (full duplex), half-close after sending, read to the
     * peer's end of stream, and compare SHA-256s of what was sent and received; then both close.
     */
    private void transferBothWays(Connection c, long bytes, String label) throws Exception {
        long start = System.nanoTime();
        c.peer().command("recv");
        c.peer().command("send " + bytes + " " + (SEED + 1));
        Future<TestStream.Received> ourReceive = pool.submit(() -> TestStream.read(c.ours().getInputStream()));
        String ourSha = TestStream.write(c.ours().getOutputStream(), bytes, SEED + 2);
        c.ours().shutdownOutput();
        c.peer().command("shutdown");
        Duration patience = Duration.ofMinutes(15);
        String kernelSent = c.peer().await("SENT", patience);
        TestStream.Received received = ourReceive.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        String kernelReceived = c.peer().await("EOF", patience);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(bytes, received.length(), "bytes tcp4j received");
        assertEquals(kernelSent.split(" ")[1], received.sha256(), "SHA-256 of what the kernel sent and tcp4j received");
        assertEquals("EOF " + bytes + " " + ourSha, kernelReceived, "what the kernel received from tcp4j");
        System.out.printf(Locale.ROOT, "[tcp4j interop] %s: %d bytes each way, both at once, in %.2f s (%.0f Mbit/s each way)%n",
                label, bytes, seconds, bytes * 8 / seconds / 1e6);
        c.ours().close();
        c.peer().command("close");
        c.peer().await("CLOSED", SHORT);
        c.peer().close();
    }

    // ------------------------------------------------------------------ closing

    @ParameterizedTest
    @EnumSource(Opener.class)
    void kernelClosesFirst(Opener opener) throws Exception {
        startStack();
        Connection c = open(opener);
        c.peer().command("close");
        assertEquals(-1, c.ours().getInputStream().read(), "tcp4j reads the kernel's FIN as end of stream");
        assertEquals(TcpState.CLOSE_WAIT, c.ours().state());
        c.ours().close();
        awaitOurs(c, info -> info == null, "gone (LAST_ACK acknowledged)");
        awaitKernel(c, "TIME-WAIT");
        c.peer().close();
    }

    @ParameterizedTest
    @EnumSource(Opener.class)
    void tcp4jClosesFirst(Opener opener) throws Exception {
        startStack();
        Connection c = open(opener);
        c.peer().command("recv");
        c.ours().close();
        assertEquals("EOF 0 " + EMPTY_SHA, c.peer().await("EOF", SHORT), "the kernel reads tcp4j's FIN as end of stream");
        awaitOurs(c, info -> info != null && info.state() == TcpState.FIN_WAIT_2, "FIN_WAIT_2");
        c.peer().command("close");
        awaitOurs(c, info -> info != null && info.state() == TcpState.TIME_WAIT, "TIME_WAIT");
        awaitKernel(c, null);
        c.peer().close();
    }

    @ParameterizedTest
    @EnumSource(Opener.class)
    void simultaneousClose(Opener opener) throws Exception {
        startStack();
        Connection c = open(opener);
        faults.holdOutbound(); // tcp4j's FIN waits until the kernel's FIN has crossed it
        c.ours().close();
        assertEquals(TcpState.FIN_WAIT_1, c.ours().state());
        c.peer().command("close");
        awaitOurs(c, info -> info != null && info.state() == TcpState.CLOSING, "CLOSING (the kernel's FIN crossed ours)");
        faults.releaseOutbound();
        awaitOurs(c, info -> info != null && info.state() == TcpState.TIME_WAIT, "TIME_WAIT");
        awaitKernel(c, "TIME-WAIT");
        c.peer().close();
    }

    @ParameterizedTest
    @EnumSource(Opener.class)
    void kernelAborts(Opener opener) throws Exception {
        startStack();
        Connection c = open(opener);
        c.peer().command("abort");
        c.peer().await("ABORTED", SHORT);
        InputStream in = c.ours().getInputStream();
        assertThrows(ConnectionResetException.class, in::read, "tcp4j reads the kernel's RST as a reset");
        assertEquals(TcpState.CLOSED, c.ours().state());
        c.ours().close();
        awaitOurs(c, info -> info == null, "gone");
        awaitKernel(c, null);
        c.peer().close();
    }

    @ParameterizedTest
    @EnumSource(Opener.class)
    void tcp4jAborts(Opener opener) throws Exception {
        startStack();
        Connection c = open(opener);
        c.peer().command("recv");
        c.ours().abort();
        String failed = c.peer().await("RECV-FAILED", SHORT);
        assertTrue(failed.contains("Connection reset"), "the kernel reports a reset: " + failed);
        awaitOurs(c, info -> info == null, "gone");
        awaitKernel(c, null);
        c.peer().close();
    }

    // ------------------------------------------------------------------ refusing

    @Test
    void kernelConnectingToAClosedTcp4jPortIsRefused() throws Exception {
        KernelSide.assumeTool("curl");
        startStack();
        PeerProcess peer = kernel.peer("connect", KernelSide.STACK_ADDRESS, "9");
        assertEquals("REFUSED Connection refused", peer.await("REFUSED", SHORT));
        KernelSide.Result curl = kernel.run(SHORT, "curl", "-sS", "http://" + KernelSide.STACK_ADDRESS + ":9/");
        assertEquals(7, curl.exit(), "curl's 'could not connect': " + curl.output());
        assertTrue(curl.output().contains("Couldn't connect") || curl.output().contains("Connection refused"), curl.output());
        assertTrue(stack.stats().rstsSent() >= 2, "tcp4j answered both SYNs with RST: " + stack.stats());
    }

    @Test
    void tcp4jConnectingToAClosedKernelPortIsRefused() throws Exception {
        startStack();
        ConnectException e = assertThrows(ConnectException.class,
                () -> stack.connect(new InetSocketAddress(KernelSide.KERNEL_ADDRESS, 9)));
        assertEquals("Connection refused", e.getMessage());
    }

    // ------------------------------------------------------------------ options

    @ParameterizedTest
    @EnumSource(Opener.class)
    void optionsNegotiatedWithLinuxShowInTheConnectionAndTheCapture(Opener opener) throws Exception {
        Path pcap = Paths.get("target", "interop-options-" + opener.name().toLowerCase(Locale.ROOT) + ".pcap");
        startStack(Faults.NONE, Faults.NONE, pcap);
        Connection c = open(opener);
        NegotiatedOptions options = c.ours().negotiatedOptions();
        c.peer().command("close");
        assertEquals(-1, c.ours().getInputStream().read());
        c.ours().close();
        awaitOurs(c, info -> info == null, "gone");
        c.peer().close();
        awaitSettled();
        stack.close(); // flushes and closes the capture
        stack = null;

        List<TcpSegment> syns = synsIn(pcap);
        TcpSegment linux = syns.stream().filter(s -> s.sourcePort() == port(c.kernelEnd())).findFirst().orElseThrow();
        TcpSegment ours = syns.stream().filter(s -> s.sourcePort() == port(c.ourEnd())).findFirst().orElseThrow();
        System.out.println("[tcp4j interop] " + opener + " SYNs: Linux " + describe(linux) + "; tcp4j " + describe(ours)
                + "; tcp4j's connection: " + options);
        // What went over the wire: both SYNs carry all four options.
        assertEquals(1460, linux.mss(), "Linux's MSS option (MTU 1500 - 40)");
        assertEquals(1460, ours.mss(), "tcp4j's MSS option");
        assertTrue(linux.windowScale() >= 0 && ours.windowScale() >= 0, "window scale on both SYNs (RFC 7323 2.2)");
        assertTrue(linux.hasTimestamps() && ours.hasTimestamps(), "timestamps on both SYNs (RFC 7323 3.2)");
        assertTrue(linux.sackPermitted() && ours.sackPermitted(), "SACK-permitted on both SYNs (RFC 2018 2)");
        // What tcp4j's connection made of them.
        assertEquals(1460 - 12, options.sendMss(), "RFC 9293 3.7.1: Linux's 1460 less 12 bytes of timestamps");
        assertTrue(options.windowScaling(), "window scaling in use");
        assertEquals(linux.windowScale(), options.sendWindowShift(), "the shift Linux announced applies to its windows");
        assertEquals(ours.windowScale(), options.receiveWindowShift(), "the shift tcp4j announced applies to its windows");
        assertTrue(options.timestamps(), "timestamps in use");
        assertTrue(options.sackPermitted(), "SACK in use");
        for (TcpSegment s : syns) {
            s.release();
        }
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private static String describe(TcpSegment s) {
        return "MSS " + s.mss() + ", wscale " + s.windowScale() + ", SACK-permitted " + s.sackPermitted() + ", timestamps "
                + s.hasTimestamps();
    }

    /** The SYN and SYN,ACK segments of a capture. */
    private static List<TcpSegment> synsIn(Path pcap) throws Exception {
        List<TcpSegment> syns = new ArrayList<>();
        try (PcapReader reader = new PcapReader(Files.newInputStream(pcap))) {
            PcapRecord r;
            while ((r = reader.next()) != null) {
                ByteBuf packet = Unpooled.wrappedBuffer(r.data());
                try {
                    if (packet.getUnsignedByte(0) >>> 4 != 4) {
                        continue;
                    }
                    Ipv4Header ip = Ipv4Header.decode(packet);
                    if (ip.protocol() != 6) {
                        continue;
                    }
                    TcpSegment s = TcpCodec.decode(ip.payloadSlice(packet), ip.source(), ip.destination());
                    if (s.has(TcpFlags.SYN)) {
                        syns.add(s);
                    } else {
                        s.release();
                    }
                } finally {
                    packet.release();
                }
            }
        }
        return syns;
    }

    // ------------------------------------------------------------------ curl and nc

    @Test
    void curlFetchesFromATcp4jHttpServer() throws Exception {
        KernelSide.assumeTool("curl");
        startStack();
        long length = BYTES;
        int port = NEXT_PORT.getAndIncrement();
        try (TcpServerSocket listener = stack.listen(port)) {
            Future<String> served = pool.submit(() -> {
                try (TcpSocket s = listener.accept()) {
                    readRequestHead(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    return TestStream.write(out, length, SEED + 3);
                }
            });
            long start = System.nanoTime();
            KernelSide.Result curl = kernel.run(Duration.ofMinutes(5), "sh", "-c",
                    "curl -sS --fail http://" + KernelSide.STACK_ADDRESS + ":" + port + "/ | sha256sum");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, curl.exit(), curl.output());
            assertEquals(served.get(1, TimeUnit.MINUTES), curl.output().trim().split(" ")[0], "SHA-256 of the body curl got");
            System.out.printf(Locale.ROOT, "[tcp4j interop] curl fetched %d bytes from tcp4j in %.2f s (%.0f Mbit/s)%n", length,
                    seconds, length * 8 / seconds / 1e6);
        }
    }

    @Test
    void ncSendsAFileToTcp4jAndReadsTheReply(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        KernelSide.assumeTool("nc");
        startStack();
        long length = BYTES;
        Path file = dir.resolve("upload.bin");
        String sha;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            sha = TestStream.write(out, length, SEED + 4);
        }
        int port = NEXT_PORT.getAndIncrement();
        try (TcpServerSocket listener = stack.listen(port)) {
            Future<Long> served = pool.submit(() -> {
                try (TcpSocket s = listener.accept()) {
                    TestStream.Received r = TestStream.read(s.getInputStream()); // nc -N: FIN at the end of the file
                    s.getOutputStream().write((r.sha256() + "\n").getBytes(StandardCharsets.US_ASCII));
                    return r.length();
                }
            });
            long start = System.nanoTime();
            KernelSide.Result nc = kernel.run(Duration.ofMinutes(5), "sh", "-c",
                    "nc -N " + KernelSide.STACK_ADDRESS + " " + port + " < " + file);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, nc.exit(), nc.output());
            assertEquals(length, served.get(1, TimeUnit.MINUTES));
            assertEquals(sha, nc.output().trim(), "tcp4j's SHA-256 of what nc sent, as nc printed it");
            System.out.printf(Locale.ROOT, "[tcp4j interop] nc sent %d bytes to tcp4j in %.2f s (%.0f Mbit/s)%n", length, seconds,
                    length * 8 / seconds / 1e6);
        }
    }

    /** Reads up to the blank line that ends an HTTP request head. */
    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the request ended early");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    // ------------------------------------------------------------------ waiting

    /** Polls tcp4j's view of the connection (null once gone) until {@code condition} holds. */
    private void awaitOurs(Connection c, Predicate<ConnectionInfo> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + SHORT.toNanos();
        ConnectionInfo info;
        do {
            info = ourInfo(c);
            if (condition.test(info)) {
                return;
            }
            Thread.sleep(5); // real time: the kernel answers when it answers
        } while (System.nanoTime() < deadline);
        throw new AssertionError("tcp4j's connection " + c.ourEnd() + " is not " + what + " but " + info + "\n" + stack.netstat());
    }

    private ConnectionInfo ourInfo(Connection c) {
        for (ConnectionInfo info : stack.connections()) {
            if (info.remote() != null && (info.local() + ":" + info.localPort()).equals(c.ourEnd())
                    && (info.remote() + ":" + info.remotePort()).equals(c.kernelEnd())) {
                return info;
            }
        }
        return null;
    }

    /** Polls {@code ss} until the kernel's socket of the connection is in {@code state} (ss's name; null: gone). */
    private void awaitKernel(Connection c, String state) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SHORT.toNanos();
        String seen;
        do {
            seen = null;
            for (KernelSide.KernelSocket s : kernel.sockets()) {
                if (s.local().equals(c.kernelEnd()) && s.peer().equals(c.ourEnd())) {
                    seen = s.state();
                }
            }
            if (state == null ? seen == null : state.equals(seen)) {
                return;
            }
            Thread.sleep(5); // real time: the kernel answers when it answers
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the kernel's socket " + c.kernelEnd() + " is " + seen + ", not " + (state == null ? "gone" : state));
    }
}
