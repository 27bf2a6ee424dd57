package io.github.tcp4j.bench;

import io.github.tcp4j.api.InMemoryNetwork;
import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk transfer: 1 GiB from one endpoint to another in the same JVM, in real time, side by side
 * with the kernel, in one JMH run:
 * <ul>
 *   <li>{@code kernel-loopback}: {@code java.net.Socket} to {@code java.net.Socket} over 127.0.0.1,
 *       with the kernel's default (autotuned) socket buffers;</li>
 *   <li>{@code tcp4j-mtuN}: two tcp4j stacks ({@code TcpStack.builder()...transport(network.endpoint(..))},
 *       the real-time driver) over an {@link InMemoryNetwork}, MTU N (65,535 or 1,500), 4 MiB send
 *       and receive buffers (window scaling on), every segment checksummed and verified;</li>
 *   <li>{@code tcp4j-mtuN-offload}: the same over {@link InMemoryNetwork#withChecksumOffload()},
 *       where the stacks skip TCP checksums as Linux's loopback does (reported separately: it is
 *       not what the stack does on any other network).</li>
 * </ul>
 * Both sides write from one thread and read on another, {@link #chunk} bytes per call, from and
 * into a heap array ({@code OutputStream.write(byte[])} and {@code InputStream.read(byte[])} for
 * the kernel, {@code TcpSocket.write/read(ByteBuffer)} over the same arrays for tcp4j); the clock
 * stops when the reader has read the last byte. The stacks use the builder's default allocator
 * (Netty's default: adaptive, direct) and Netty's leak detection is off, as in production.
 *
 * <p>One operation = one transfer of {@link #bytes} (1 GiB) over a connection opened once per
 * trial, so the measured transfers run in steady state, not in the handshake or slow start.
 * {@code SingleShotTime} times each transfer on its own: one takes 0.3 to 3 seconds, so the
 * timer's resolution and JMH's overhead vanish, and each iteration is a whole 1 GiB transfer as
 * the issue asks (smaller transfers repeated would measure the same steady state, less directly).
 * Throughput = bytes / score.
 *
 * <p>{@link Counters} reports, per operation, the segments the two stacks sent (both directions:
 * data and ACKs), so that {@code -prof gc}'s {@code gc.alloc.rate.norm} (bytes allocated per
 * operation, by all threads) divides into bytes per segment, and the CPU time all the JVM's
 * threads spent per transfer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
public class BulkTransferBenchmarks {

    /** The transfer of one operation: 1 GiB. */
    public static final long GIB = 1L << 30;
    private static final int PORT = 5001;
    private static final int BUFFER = 4 << 20;

    /**
     * Which path: {@code kernel-loopback} (java.net.Socket over 127.0.0.1), or a pair of tcp4j
     * stacks with the given MTU, verifying TCP checksums, or with {@code -offload}: over an
     * in-memory network that offloads them (see {@link InMemoryNetwork}).
     */
    @Param({"kernel-loopback", "tcp4j-mtu65535", "tcp4j-mtu65535-offload", "tcp4j-mtu1500", "tcp4j-mtu1500-offload"})
    public String path;

    /** Bytes per write and per read call, on both paths. */
    @Param({"65536"})
    public int chunk;

    /** Bytes per operation. */
    @Param({"1073741824"})
    public long bytes;

    private Endpoints endpoints;
    private Thread readerThread;
    private final Semaphore startReading = new Semaphore(0);
    private final Semaphore doneReading = new Semaphore(0);
    private volatile long read;
    private volatile Throwable readerFailure;
    private volatile boolean stopping;

    /** Per-operation counters (JMH divides them by the operations of each iteration). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Segments the two stacks handed to the network (data and ACKs), 0 on the kernel path. */
        public long segments;
        /**
         * CPU seconds the JVM's threads spent during the transfer (user and system time, from
         * {@code ThreadMXBean}): less sensitive than the throughput to other jobs on the machine.
         * For the kernel this counts the system calls' work, but not softirq work the kernel may
         * do outside the calling threads.
         */
        public double cpuSeconds;
        private long lastTotal;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        byte[] data = new byte[chunk];
        new SplittableRandom(42).nextBytes(data);
        if (path.equals("kernel-loopback")) {
            endpoints = new KernelEndpoints(data);
        } else if (path.startsWith("tcp4j-mtu")) {
            String rest = path.substring("tcp4j-mtu".length());
            boolean offload = rest.endsWith("-offload");
            int mtu = Integer.parseInt(offload ? rest.substring(0, rest.length() - "-offload".length()) : rest);
            endpoints = new Tcp4jEndpoints(data, mtu, offload);
        } else {
            throw new IllegalArgumentException(path);
        }
        readerThread = new Thread(this::readLoop, "bulk-reader");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stopping = true;
        startReading.release();
        readerThread.join(10_000);
        endpoints.close();
    }

    /** One transfer of {@link #bytes}: written on this thread, read on the reader's. */
    @Benchmark
    public long transfer(Counters counters) throws Exception {
        long cpuBefore = cpuNanos();
        startReading.release();
        endpoints.writeAll(bytes);
        doneReading.acquire();
        counters.cpuSeconds += (cpuNanos() - cpuBefore) / 1e9;
        if (readerFailure != null) {
            throw new IllegalStateException("the reader failed", readerFailure);
        }
        if (read != bytes) {
            throw new IllegalStateException("read " + read + " of " + bytes + " bytes");
        }
        long total = endpoints.segmentsSent();
        counters.segments += total - counters.lastTotal;
        counters.lastTotal = total;
        return read;
    }

    /** CPU time of every live thread of the JVM, in nanoseconds. */
    private static long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                total += t;
            }
        }
        return total;
    }

    private void readLoop() {
        while (true) {
            startReading.acquireUninterruptibly();
            if (stopping) {
                return;
            }
            try {
                read = endpoints.readAll(bytes);
            } catch (Throwable t) {
                readerFailure = t;
            }
            doneReading.release();
        }
    }

    /** The two ends of one connection, as the benchmark uses them. */
    interface Endpoints extends AutoCloseable {
        /** Writes {@code n} bytes in chunks (on the benchmark's thread). */
        void writeAll(long n) throws IOException;

        /** Reads until {@code n} bytes arrived, in chunks (on the reader's thread); returns the count. */
        long readAll(long n) throws IOException;

        /** Segments sent so far by both ends, where known. */
        long segmentsSent();
    }

    /** java.net.Socket over the kernel's loopback, with the kernel's default (autotuned) buffers. */
    static final class KernelEndpoints implements Endpoints {
        private final byte[] data;
        private final byte[] sink;
        private final ServerSocket server;
        private final Socket client;
        private final Socket accepted;
        private final OutputStream out;
        private final InputStream in;

        KernelEndpoints(byte[] data) throws IOException {
            this.data = data;
            this.sink = new byte[data.length];
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            accepted = server.accept();
            out = client.getOutputStream();
            in = accepted.getInputStream();
        }

        @Override
        public void writeAll(long n) throws IOException {
            for (long left = n; left > 0; ) {
                int k = (int) Math.min(data.length, left);
                out.write(data, 0, k);
                left -= k;
            }
        }

        @Override
        public long readAll(long n) throws IOException {
            long got = 0;
            while (got < n) {
                int k = in.read(sink, 0, (int) Math.min(sink.length, n - got));
                if (k < 0) {
                    break;
                }
                got += k;
            }
            return got;
        }

        @Override
        public long segmentsSent() {
            return 0;
        }

        @Override
        public void close() throws IOException {
            client.close();
            accepted.close();
            server.close();
        }
    }

    /** Two tcp4j stacks on an in-memory network, each on its event-loop thread. */
    static final class Tcp4jEndpoints implements Endpoints {
        private final ByteBuffer source;
        private final ByteBuffer sink;
        private final TcpStack sender;
        private final TcpStack receiver;
        private final TcpSocket client;
        private final TcpSocket accepted;

        Tcp4jEndpoints(byte[] data, int mtu, boolean checksumOffload) throws IOException {
            this.source = ByteBuffer.wrap(data);
            this.sink = ByteBuffer.allocate(data.length);
            InMemoryNetwork network = checksumOffload ? InMemoryNetwork.withChecksumOffload() : new InMemoryNetwork();
            TcpConfig config = TcpConfig.builder().mtu(mtu).sendBufferSize(BUFFER).receiveBufferSize(BUFFER)
                    .windowScaling(true).build();
            sender = TcpStack.builder().name("sender").address("10.0.0.1").config(config)
                    .transport(network.endpoint(IpAddress.parse("10.0.0.1"))).build();
            receiver = TcpStack.builder().name("receiver").address("10.0.0.2").config(config)
                    .transport(network.endpoint(IpAddress.parse("10.0.0.2"))).build();
            TcpServerSocket server = receiver.listen(PORT);
            var acceptance = server.acceptAsync();
            client = sender.connect(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), PORT));
            accepted = receiver.await(acceptance, java.time.Duration.ofSeconds(10));
            server.close();
        }

        @Override
        public void writeAll(long n) throws IOException {
            for (long left = n; left > 0; ) {
                int k = (int) Math.min(source.capacity(), left);
                source.clear().limit(k);
                client.write(source);
                left -= k;
            }
        }

        @Override
        public long readAll(long n) throws IOException {
            long got = 0;
            while (got < n) {
                sink.clear().limit((int) Math.min(sink.capacity(), n - got));
                int k = accepted.read(sink);
                if (k < 0) {
                    break;
                }
                got += k;
            }
            return got;
        }

        @Override
        public long segmentsSent() {
            return sender.stats().segmentsSent() + receiver.stats().segmentsSent();
        }

        @Override
        public void close() {
            sender.close();
            receiver.close();
        }
    }
}
