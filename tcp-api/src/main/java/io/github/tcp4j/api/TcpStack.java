package io.github.tcp4j.api;

import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TransitionListener;
import io.github.tcp4j.core.host.ConnectionInfo;
import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.timer.Clock;
import io.github.tcp4j.core.timer.SystemClock;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * A TCP stack: one tcp4j host with its addresses, its settings and the thread (or simulation)
 * that runs it. Open connections with {@link #connect} and accept them with {@link #listen}; the
 * sockets feel like {@code java.net.Socket} and {@code ServerSocket}.
 *
 * <h2>Two ways to run</h2>
 * <ul>
 *   <li><b>Real time</b> ({@link Builder#transport}): the protocol state is guarded by the stack's
 *       lock, and one thread at a time runs it. A thread making a call takes the lock and does the
 *       work itself (the segments that arrived meanwhile first, then its call), as the kernel does
 *       a socket's work in the calling process; a blocking call that must wait parks and is woken
 *       to help when segments arrive. The stack's own event-loop thread runs the timers, the async
 *       calls and whatever arrives while no caller is there. No monitor is held while waiting, so
 *       virtual threads do not pin. Handlers, transition listeners and async completions run on
 *       whichever of these threads runs the stack at that moment.</li>
 *   <li><b>Virtual time</b> ({@link Builder#simulated}): the stack runs on a {@link SimNetwork},
 *       and a blocking call runs the simulation until it can complete, or until its timeout passes
 *       in virtual time. A test written in blocking style works as long as the other end's part
 *       can happen while the simulation runs: start the server's accept with
 *       {@link TcpServerSocket#acceptAsync()} before the client's blocking {@link #connect}, then
 *       take the accepted socket from the future. Blocking calls must not be made from inside the
 *       simulation (handlers, scheduled actions); a call that can never complete (the simulation
 *       went idle) fails with an {@link IllegalStateException} naming the seed.</li>
 * </ul>
 *
 * <p>{@link #close()} aborts every connection (or, with {@link Builder#closeGracefully}, closes them
 * and waits for them to finish), stops the thread and releases every buffer.
 */
public final class TcpStack implements AutoCloseable {

    private final Driver driver;
    private final TcpHost host;
    private final StackTransport transport;
    private final Duration gracefulClose;
    private final Set<TcpSocket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<TcpServerSocket> servers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TcpStack(Builder b) {
        this.gracefulClose = b.gracefulClose;
        long secret = b.secret != null ? b.secret : new SecureRandom().nextLong();
        if (b.network != null) {
            this.transport = null;
            this.driver = new SimulatedDriver(b.network);
            this.host = TcpHost.attach(b.network, b.simHost, b.config, secret);
        } else {
            Objects.requireNonNull(b.transport, "a stack needs a transport (or a simulated network)");
            if (b.addresses.isEmpty()) {
                throw new IllegalArgumentException("a stack needs at least one address");
            }
            this.transport = b.transport;
            EventLoopDriver loop = new EventLoopDriver(b.clock, "tcp4j-" + b.name);
            this.driver = loop;
            // Segments go through the loop's inbox; a transport that batches (Ipv4PacketTransport) runs its
            // batch as a task of the loop, whose deliveries then join the inbox in order.
            SegmentTransport out = transport.open(loop.receiver(), task -> {
                try {
                    loop.execute(task);
                } catch (IllegalStateException closedStack) {
                    throw new RejectedExecutionException("the stack is closed", closedStack);
                }
            });
            this.host = new TcpHost(b.name, b.addresses, out, b.clock, b.config, secret, ~secret * 0x9E3779B97F4A7C15L,
                    b.allocator);
            host.checksumOffload(transport.offloadsChecksums());
        }
        driver.bind(host);
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ sockets

    /** Listens on {@code port} of every address, with a backlog of 50 (like {@code new ServerSocket(port)}). */
    public TcpServerSocket listen(int port) throws IOException {
        return listen(null, port, 50, false);
    }

    /**
     * Listens on {@code port} of {@code local} (null: every address of the stack).
     *
     * @param backlog the accept queue's bound
     * @param reuseAddress SO_REUSEADDR: allow the port while connections of an earlier server (in
     *     TIME_WAIT) still hold it
     * @throws java.net.BindException "Address already in use"
     */
    public TcpServerSocket listen(InetAddress local, int port, int backlog, boolean reuseAddress) throws IOException {
        checkOpen();
        IpAddress address = local == null ? null : IpAddress.of(local);
        TcpServerSocket server = SocketErrors.translate(() -> driver.call(() -> {
            TcpListener l = host.listen(address, port, backlog, reuseAddress);
            return new TcpServerSocket(this, l);
        }));
        servers.add(server);
        return server;
    }

    /** Connects to {@code remote}, waiting as long as the SYN retries allow (about two minutes by default). */
    public TcpSocket connect(InetSocketAddress remote) throws IOException {
        return connect(remote, null, Duration.ZERO);
    }

    /**
     * Connects to {@code remote} from {@code local} (null: the stack's address and an ephemeral
     * port), waiting at most {@code timeout} (zero: as long as the SYN retries allow).
     *
     * @throws java.net.ConnectException "Connection refused"
     * @throws SocketTimeoutException "Connect timed out" when {@code timeout} passes first
     * @throws java.net.BindException when the local address and port are taken
     */
    public TcpSocket connect(InetSocketAddress remote, InetSocketAddress local, Duration timeout) throws IOException {
        TcpSocket s = startConnect(remote, local);
        try {
            if (!driver.await(s.connectedFuture(), timeout.toNanos())) {
                s.abort();
                throw new SocketTimeoutException("Connect timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.abort();
            throw new java.io.InterruptedIOException("connect interrupted");
        }
        s.checkConnected();
        return s;
    }

    /** Connects without blocking: the future completes with the socket once established, or with the error. */
    public CompletableFuture<TcpSocket> connectAsync(InetSocketAddress remote) {
        CompletableFuture<TcpSocket> result = new CompletableFuture<>();
        try {
            TcpSocket s = startConnect(remote, null);
            s.connectedFuture().whenComplete((v, t) -> {
                try {
                    s.checkConnected();
                    result.complete(s);
                } catch (IOException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (IOException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private TcpSocket startConnect(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        checkOpen();
        Objects.requireNonNull(remote, "remote");
        IpAddress to = IpAddress.of(remote.getAddress());
        IpAddress from = local == null ? null : IpAddress.of(local.getAddress());
        int fromPort = local == null ? 0 : local.getPort();
        TcpSocket s = SocketErrors.translate(() -> driver.call(() -> {
            TcpSocket socket = new TcpSocket(this);
            socket.attach(host.connect(from, fromPort, to, remote.getPort(), socket.handler()));
            return socket;
        }));
        sockets.add(s);
        return s;
    }

    /**
     * Waits for {@code future} the way this stack's blocking calls wait: in real time, or, on a
     * simulated network, by running the simulation until it completes (so a test can block on an
     * {@link TcpServerSocket#acceptAsync()} it started before connecting).
     *
     * @throws SocketTimeoutException if {@code timeout} passes first (virtual time on a simulation)
     * @throws IOException the future's failure, if it failed with one
     */
    public <T> T await(CompletableFuture<T> future, Duration timeout) throws IOException {
        try {
            if (!driver.await(future, timeout.toNanos())) {
                throw new SocketTimeoutException("timed out after " + timeout);
            }
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    // ------------------------------------------------------------------ views

    /** A netstat snapshot: every listener, connection and TIME_WAIT record, with queues and timers. */
    public List<ConnectionInfo> connections() {
        return driver.call(host::netstat);
    }

    /** The snapshot formatted like {@code netstat -tan}. */
    public String netstat() {
        return ConnectionInfo.format(connections());
    }

    /** Subscribes to every state change of the stack's connections; called on the stack (by whichever thread runs it, one at a time). */
    public void addTransitionListener(TransitionListener listener) {
        driver.run(() -> host.addTransitionListener(listener));
    }

    /** True if the stack skips TCP checksums because its transport offloads them ({@link StackTransport#offloadsChecksums()}). */
    public boolean checksumOffload() {
        return host.checksumOffload();
    }

    /** The stack's counters (a live object: read it through a call on the stack, or after the stack closed). */
    public io.github.tcp4j.core.host.TcpHostStats stats() {
        return driver.call(host::stats);
    }

    // ------------------------------------------------------------------ closing

    /**
     * Closes the stack: every socket is aborted (or, with {@link Builder#closeGracefully}, closed and
     * given that long for its data and FIN to be acknowledged), listeners close, the thread stops
     * and buffers are released.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!gracefulClose.isZero()) {
            CompletableFuture<Void> drained = new CompletableFuture<>();
            driver.call(() -> {
                host.addTransitionListener(r -> {
                    if (ourSideFinished()) {
                        drained.complete(null);
                    }
                });
                new ArrayList<>(sockets).forEach(TcpSocket::closeOnStack);
                if (ourSideFinished()) {
                    drained.complete(null);
                }
                return null;
            });
            try {
                driver.await(drained, gracefulClose.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        driver.call(() -> {
            new ArrayList<>(servers).forEach(TcpServerSocket::closeOnStack);
            new ArrayList<>(sockets).forEach(TcpSocket::abortOnStack);
            host.connections().forEach(TcpConnection::abort);
            return null;
        });
        driver.shutdown();
        if (transport != null) {
            transport.close();
        }
    }

    /** True when every connection has delivered its data and FIN (FIN-WAIT-2 waits only for the peer). */
    private boolean ourSideFinished() {
        for (TcpConnection c : host.connections()) {
            if (c.state() != io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ for sockets

    Driver driver() {
        return driver;
    }

    TcpHost host() {
        return host;
    }

    void forget(TcpSocket s) {
        sockets.remove(s);
    }

    void forget(TcpServerSocket s) {
        servers.remove(s);
    }

    void adopt(TcpSocket s) {
        sockets.add(s);
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new java.net.SocketException("the stack is closed");
        }
    }

    /** Builds a {@link TcpStack}. */
    public static final class Builder {
        private final List<IpAddress> addresses = new ArrayList<>();
        private TcpConfig config = TcpConfig.defaults();
        private StackTransport transport;
        private SimNetwork network;
        private SimHost simHost;
        private Long secret;
        private Clock clock = SystemClock.INSTANCE;
        private String name = "stack";
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        private Duration gracefulClose = Duration.ZERO;

        private Builder() {
        }

        /** Adds an address of the stack (real time). */
        public Builder address(InetAddress address) {
            addresses.add(IpAddress.of(address));
            return this;
        }

        /** Adds an address of the stack, e.g. "10.0.0.2" (real time). */
        public Builder address(String address) {
            addresses.add(IpAddress.parse(address));
            return this;
        }

        /** Settings: MSL, buffer sizes, retries, RFC 1337 switch... (default {@link TcpConfig#defaults()}). */
        public Builder config(TcpConfig c) {
            this.config = Objects.requireNonNull(c, "config");
            return this;
        }

        /** Runs in real time (an event-loop thread, and the calling threads), over {@code t}. */
        public Builder transport(StackTransport t) {
            this.transport = Objects.requireNonNull(t, "transport");
            return this;
        }

        /** Runs in virtual time as host {@code h} of the simulated network {@code n}. */
        public Builder simulated(SimNetwork n, SimHost h) {
            this.network = Objects.requireNonNull(n, "network");
            this.simHost = Objects.requireNonNull(h, "host");
            this.name = h.name();
            return this;
        }

        /** Keys ISNs and port choice; fix it for reproducible runs (default: random). */
        public Builder secret(long s) {
            this.secret = s;
            return this;
        }

        /** The clock of a real-time stack (default: the system's monotonic clock). */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** A name for the thread and logs. */
        public Builder name(String n) {
            this.name = Objects.requireNonNull(n, "name");
            return this;
        }

        /** Where buffers come from (default Netty's pooled allocator). */
        public Builder allocator(ByteBufAllocator a) {
            this.allocator = Objects.requireNonNull(a, "allocator");
            return this;
        }

        /** On {@link TcpStack#close()}, close connections gracefully and wait up to {@code wait} before aborting the rest. */
        public Builder closeGracefully(Duration wait) {
            this.gracefulClose = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /** The stack, started. */
        public TcpStack build() {
            return new TcpStack(this);
        }
    }

}
