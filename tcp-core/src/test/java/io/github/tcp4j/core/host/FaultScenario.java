package io.github.tcp4j.core.host;

import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client and a server connection over one faulty simulated link, driven by a list of
 * application operations, with an oracle for the byte streams: each side writes a
 * position-dependent pattern ({@link #pattern}), so every byte read can be checked against what
 * was written at that stream offset (loss, duplication, reordering and modification all show),
 * and a side that reads the end of the stream must have read exactly what the peer wrote.
 *
 * <p>The application is an eager writer (whatever it still wants to write goes into the send
 * buffer as soon as there is room, after every network event) and a lazy reader (it reads only
 * when an operation says so), so windows fill and zero-window probing happens. At the end both
 * sides shut down, read until the end of the stream and close; the network runs until both
 * connections are gone, then past 2MSL.
 *
 * <p>A "close now" operation closes at once even if the peer may still send: the connection may
 * then be reset (RFC 9293 SHLD-3, RFC 2525 2.17), which is correct behaviour, so such a run only
 * checks that what arrived is an intact prefix. Every other run must deliver everything.
 *
 * <p>Used by {@code ConnectionFaultProperties} and the example tests that reproduce its failures.
 */
final class FaultScenario {

    /** Which end an operation acts on. */
    enum Side {
        CLIENT, SERVER;

        Side peer() {
            return this == CLIENT ? SERVER : CLIENT;
        }

        String lower() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One application step. */
    sealed interface Op permits Write, Read, Shutdown, Close, CloseNow, Advance {
    }

    /** The side wants to write {@code size} more bytes (written as the send buffer makes room). */
    record Write(Side side, int size) implements Op {
        @Override
        public String toString() {
            return "new Write(" + side + ", " + size + ")";
        }
    }

    /** The side reads up to {@code max} bytes (the available ones, in several calls if need be). */
    record Read(Side side, int max) implements Op {
        @Override
        public String toString() {
            return "new Read(" + side + ", " + max + ")";
        }
    }

    /** The side shuts down output once what it wants to write is in the send buffer. */
    record Shutdown(Side side) implements Op {
        @Override
        public String toString() {
            return "new Shutdown(" + side + ")";
        }
    }

    /** A graceful close: shut down output, keep reading until the end of the stream, then close(). */
    record Close(Side side) implements Op {
        @Override
        public String toString() {
            return "new Close(" + side + ")";
        }
    }

    /** close() at once, after reading what is available; unsent wishes are dropped. May reset the connection. */
    record CloseNow(Side side) implements Op {
        @Override
        public String toString() {
            return "new CloseNow(" + side + ")";
        }
    }

    /** Virtual time passes. */
    record Advance(int micros) implements Op {
        @Override
        public String toString() {
            return "new Advance(" + micros + ")";
        }
    }

    /** The link (both directions alike) and the seed of the network. */
    record Network(long seed, double loss, double duplication, double reordering, double corruption, int latencyMicros,
            int jitterMicros, int reorderDelayMicros, long bandwidth, int queueLimit) {

        LinkConfig link() {
            LinkConfig.Builder b = LinkConfig.builder().latency(Duration.ofNanos(latencyMicros * 1000L))
                    .jitter(Duration.ofNanos(jitterMicros * 1000L)).loss(loss).duplication(duplication)
                    .reordering(reordering).reorderDelay(Duration.ofNanos(Math.max(1, reorderDelayMicros) * 1000L))
                    .corruption(corruption);
            if (bandwidth > 0) {
                b.bandwidth(bandwidth).queueLimit(queueLimit);
            }
            return b.build();
        }

        @Override
        public String toString() {
            return "new Network(" + seed + "L, " + loss + ", " + duplication + ", " + reordering + ", " + corruption + ", "
                    + latencyMicros + ", " + jitterMicros + ", " + reorderDelayMicros + ", " + bandwidth + "L, " + queueLimit + ")";
        }
    }

    /** Socket buffer sizes and options of both hosts. */
    record Buffers(int send, int receive, boolean timestamps, boolean windowScaling, int mtu) {
        Buffers(int send, int receive) {
            this(send, receive, true, true, 1500);
        }

        @Override
        public String toString() {
            return "new Buffers(" + send + ", " + receive + ", " + timestamps + ", " + windowScaling + ", " + mtu + ")";
        }
    }

    static final IpAddress A = IpAddress.parse("10.0.0.1");
    static final IpAddress B = IpAddress.parse("10.0.0.2");
    static final int PORT = 80;

    /** Prints every segment sent (run with -Dtest.extraArgs=-Dtcp4j.faults.trace=true). */
    private static final boolean TRACE = Boolean.getBoolean("tcp4j.faults.trace");
    /** A run moves a few thousand segments; far more events in one driving call means two nodes never go quiet. */
    static final long MAX_EVENTS = 50_000;
    /** Generous bound on virtual time for the handshake and for each phase of the end. */
    private static final Duration PHASE_BOUND = Duration.ofMinutes(40);

    /** The configuration of both hosts: defaults, the given buffers, and enough SYN retries that a lossy handshake completes. */
    static TcpConfig config(Buffers buffers) {
        return TcpConfig.builder().sendBufferSize(buffers.send()).receiveBufferSize(buffers.receive()).synRetries(12)
                .synAckRetries(12).timestamps(buffers.timestamps()).windowScaling(buffers.windowScaling()).mtu(buffers.mtu())
                .build();
    }

    /** The byte at {@code offset} of {@code side}'s stream. */
    static byte pattern(Side side, long offset) {
        long z = offset * 2 + side.ordinal() + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (byte) (z ^ (z >>> 31));
    }

    /** What a run found; the checks that hold for every run are already made when this returns. */
    record Outcome(boolean clean, long clientWrote, long serverWrote, long clientRead, long serverRead, String clientFinal,
            String serverFinal, long virtualMillis, long events, String statsA, String statsB) {
    }

    /** One end of the connection as the application sees it. */
    final class End {
        final Side side;
        TcpConnection conn;
        long written;
        long pending;
        long read;
        boolean shutdownWanted;
        boolean shutdownDone;
        boolean closeWanted;
        boolean closed;
        boolean eof;
        boolean failed;
        final List<String> errors = new ArrayList<>();

        End(Side side) {
            this.side = side;
        }

        boolean usable() {
            return conn != null && !closed && !failed;
        }

        void fail(TcpException e, String call) {
            failed = true;
            errors.add(side.lower() + "." + call + ": " + e.getMessage());
            if (clean) {
                throw new AssertionError(side.lower() + "." + call + " threw " + e.error() + " in a run without resets: "
                        + e.getMessage() + context(), e);
            }
        }

        /** Puts what the application still wants to write into the send buffer, then a pending shutdown or close. */
        void pump() {
            if (conn == null && side == Side.SERVER) {
                conn = listener.accept();
            }
            if (!usable()) {
                return;
            }
            try {
                while (pending > 0 && !shutdownDone) {
                    int n = (int) Math.min(Math.min(pending, conn.sendFree()), 64 * 1024);
                    if (n <= 0) {
                        break;
                    }
                    ByteBuf data = scratch.clear();
                    for (int i = 0; i < n; i++) {
                        data.writeByte(pattern(side, written + i));
                    }
                    int k = conn.send(data);
                    if (k < 0 || k > n || data.readerIndex() != k) {
                        throw new AssertionError(side.lower() + ".send of " + n + " returned " + k + " with reader index "
                                + data.readerIndex() + context());
                    }
                    written += k;
                    pending -= k;
                    if (k == 0) {
                        break;
                    }
                }
            } catch (TcpException e) {
                fail(e, "send");
                return;
            }
            if (shutdownWanted && pending == 0 && !shutdownDone) {
                try {
                    conn.shutdownOutput();
                    shutdownDone = true;
                } catch (TcpException e) {
                    fail(e, "shutdownOutput");
                    return;
                }
            }
            if (closeWanted && shutdownDone && eof && !closed) {
                conn.close();
                closed = true;
            }
        }

        /** Reads up to {@code max} bytes, checking each against the peer's pattern. */
        void read(long max) {
            if (conn == null && side == Side.SERVER) {
                conn = listener.accept();
            }
            if (!usable()) {
                return;
            }
            if (conn.available() == 0 && !conn.finReceived() && conn.failure() == null) {
                return; // receive() would return 0; saves the work after every network event
            }
            End peer = end(side.peer());
            ByteBuf buf = scratch;
            {
                long left = max;
                while (left > 0) {
                    buf.clear();
                    buf.writerIndex(buf.capacity() - (int) Math.min(left, buf.capacity()));
                    buf.readerIndex(buf.writerIndex());
                    int n;
                    try {
                        n = conn.receive(buf);
                    } catch (TcpException e) {
                        fail(e, "receive");
                        return;
                    }
                    if (n > 0) {
                        if (buf.readableBytes() != n) {
                            throw new AssertionError(side.lower() + ".receive returned " + n + " but wrote " + buf.readableBytes()
                                    + context());
                        }
                        int base = buf.readerIndex();
                        for (int i = 0; i < n; i++) {
                            byte expected = pattern(peer.side, read + i);
                            if (buf.getByte(base + i) != expected) {
                                throw new AssertionError(side.lower() + " read a wrong byte at stream offset " + (read + i)
                                        + " (" + peer.side.lower() + " wrote " + peer.written + "): " + buf.getByte(base + i)
                                        + " instead of " + expected + context());
                            }
                        }
                        read += n;
                        if (read > peer.written) {
                            throw new AssertionError(side.lower() + " read " + read + " bytes, " + peer.side.lower()
                                    + " wrote only " + peer.written + context());
                        }
                        left -= n;
                        continue;
                    }
                    if (n < 0) {
                        if (conn.finReceived()) {
                            if (!eof && read != peer.written) {
                                throw new AssertionError(side.lower() + " reached the end of the stream after " + read
                                        + " bytes, " + peer.side.lower() + " wrote " + peer.written + context());
                            }
                            eof = true;
                        } else if (clean) {
                            throw new AssertionError(side.lower() + ".receive returned -1 without the peer's FIN in a run"
                                    + " without resets" + context());
                        } else {
                            failed = true; // a reset connection that reported its error reads as ended
                        }
                    }
                    return;
                }
            }
        }

        /** close() right away, after reading what is there. */
        void closeNow() {
            if (conn == null || closed) {
                return;
            }
            read(Long.MAX_VALUE);
            if (!eof) {
                clean = false;
            }
            pending = 0;
            closed = true;
            conn.close();
        }
    }

    private final Network network;
    private final Buffers buffers;
    private final List<Op> ops;
    private final End client = new End(Side.CLIENT);
    private final End server = new End(Side.SERVER);
    private final List<String> log = new ArrayList<>();
    private boolean clean = true;
    private SimNetwork net;
    private TcpHost a;
    private TcpHost b;
    private TcpListener listener;
    private final long[] corruptDeliveredTo = new long[2];
    /** One buffer for every send and receive of the run (allocations are expensive under paranoid leak detection). */
    private final ByteBuf scratch = Unpooled.buffer(64 * 1024, 64 * 1024);

    /** With a value: the client's ISS (the network's clock starts where the ISN generator gives it this one). */
    private final Integer clientIss;

    /** True: the operations start right after connect(), during the handshake; the server is accepted when it can be. */
    private final boolean early;

    private FaultScenario(Network network, Buffers buffers, List<Op> ops, Integer clientIss, boolean early) {
        this.network = network;
        this.buffers = buffers;
        this.ops = List.copyOf(ops);
        this.clientIss = clientIss;
        this.early = early;
    }

    /** Runs the scenario and checks the oracle; throws AssertionError (or what escaped the stack) on a violation. */
    static Outcome run(Network network, Buffers buffers, List<Op> ops) {
        return new FaultScenario(network, buffers, ops, null, false).run();
    }

    /** The same, with the client's initial send sequence number forced to {@code clientIss} (client port 40000). */
    static Outcome runWithClientIss(Network network, Buffers buffers, List<Op> ops, int clientIss) {
        return new FaultScenario(network, buffers, ops, clientIss, false).run();
    }

    /**
     * The same, but the operations start right after connect(): the client writes, shuts down or
     * closes in SYN-SENT, and the server's operations wait until accept() hands it the connection.
     */
    static Outcome runFromConnect(Network network, Buffers buffers, List<Op> ops) {
        return new FaultScenario(network, buffers, ops, null, true).run();
    }

    /** The secret of the client host; the server's is {@link #SECRET_B}. */
    static final long SECRET_A = 11;
    static final long SECRET_B = 22;
    static final int CLIENT_PORT = 40000;

    /**
     * The virtual time at which a host attached with {@code secret} (as {@link TcpHost#attach} keys
     * its ISN generator) picks {@code iss} for the 4-tuple: ISN = time / 4 us + F(4-tuple) (RFC 6528).
     */
    static long clockForIss(long secret, IpAddress local, int localPort, IpAddress remote, int remotePort, int iss) {
        IsnGenerator g = new IsnGenerator(new io.github.tcp4j.core.timer.ManualClock(), secret, ~secret * 0x9E3779B97F4A7C15L);
        int ticks = iss - g.offset(local, localPort, remote, remotePort);
        return Integer.toUnsignedLong(ticks) * IsnGenerator.NANOS_PER_TICK;
    }

    End end(Side s) {
        return s == Side.CLIENT ? client : server;
    }

    private String context() {
        StringBuilder sb = new StringBuilder("\n  at virtual time ").append(net == null ? 0 : net.now() / 1_000_000).append(" ms");
        sb.append("\n  client: ").append(client.conn).append(" wrote=").append(client.written).append(" read=").append(client.read)
                .append(" eof=").append(client.eof).append(" closed=").append(client.closed);
        sb.append("\n  server: ").append(server.conn).append(" wrote=").append(server.written).append(" read=").append(server.read)
                .append(" eof=").append(server.eof).append(" closed=").append(server.closed);
        for (End e : List.of(client, server)) {
            if (e.conn != null) {
                TcpConnection c = e.conn;
                sb.append("\n  ").append(e.side.lower()).append(" TCB: snd.una=").append(Integer.toUnsignedString(c.sndUna()))
                        .append(" snd.nxt=").append(Integer.toUnsignedString(c.sndNxt())).append(" rcv.nxt=")
                        .append(Integer.toUnsignedString(c.rcvNxt())).append(" rcv.wnd=").append(c.rcvWnd()).append(" queued=")
                        .append(c.sendQueued()).append(" available=").append(c.available()).append(" fin sent=")
                        .append(c.finSent()).append(" rto=").append(c.rto() / 1_000_000).append(" ms");
            }
        }
        if (a != null) {
            sb.append("\n  a: ").append(a.stats()).append("\n  b: ").append(b.stats());
        }
        int from = Math.max(0, log.size() - 40);
        sb.append("\n  last transitions:");
        for (int i = from; i < log.size(); i++) {
            sb.append("\n    ").append(log.get(i));
        }
        return sb.toString();
    }

    private Outcome run() {
        net = clientIss == null ? new SimNetwork(network.seed())
                : new SimNetwork(network.seed(), new io.github.tcp4j.core.timer.ManualClock(
                        clockForIss(SECRET_A, A, CLIENT_PORT, B, PORT, clientIss)));
        net.maxEventsPerRun(MAX_EVENTS);
        try {
            SimHost simA = net.addHost("a", A);
            SimHost simB = net.addHost("b", B);
            net.link(simA, simB, network.link());
            TcpConfig config = config(buffers);
            a = TcpHost.attach(net, simA, config, SECRET_A);
            b = TcpHost.attach(net, simB, config, SECRET_B);
            a.addTransitionListener(r -> log.add(describe("a", r)));
            b.addTransitionListener(r -> log.add(describe("b", r)));
            net.addDeliveryTap((src, dst, bytes) -> {
                if (Checksum.tcp(src, dst, bytes, bytes.readerIndex(), bytes.readableBytes()) != 0) {
                    corruptDeliveredTo[dst.equals(A) ? 0 : 1]++;
                }
            });
            if (TRACE) {
                net.addTap((src, dst, bytes) -> {
                    try {
                        io.github.tcp4j.core.wire.TcpSegment seg = io.github.tcp4j.core.wire.TcpCodec.decodeUnverified(bytes.duplicate());
                        System.out.printf("%10.3f %s %s%n", net.now() / 1e6, src.equals(A) ? "a>b" : "b>a", seg);
                        seg.release();
                    } catch (io.github.tcp4j.core.wire.MalformedPacketException e) {
                        System.out.println("malformed");
                    }
                });
            }
            listener = b.listen(null, PORT, 16, false);
            client.conn = a.connect(null, clientIss == null ? 0 : CLIENT_PORT, B, PORT, ConnectionHandler.NONE);
            if (clientIss != null && client.conn.iss() != clientIss) {
                throw new AssertionError("the client's ISS is " + Integer.toUnsignedString(client.conn.iss()) + ", not "
                        + Integer.toUnsignedString(clientIss) + context());
            }
            if (!early && !net.runUntil(() -> (server.conn = listener.accept()) != null, PHASE_BOUND)) {
                throw new AssertionError("the handshake did not complete" + context());
            }
            try {
                for (Op op : ops) {
                    log.add("--- " + op);
                    apply(op);
                    client.pump();
                    server.pump();
                }
                finish();
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + context(), e); // the event limit: nodes that never go quiet
            }
            return new Outcome(clean, client.written, server.written, client.read, server.read, client.conn.toString(),
                    String.valueOf(server.conn), net.now() / 1_000_000, net.eventsProcessed(), a.stats().toString(),
                    b.stats().toString());
        } finally {
            cleanUp();
        }
    }

    private static String describe(String host, TransitionRecord r) {
        return String.format("%10.3f ms %s %s %s", r.timeNanos() / 1e6, host, r.connection(), r);
    }

    private void apply(Op op) {
        if (op instanceof Write w) {
            End e = end(w.side());
            if (!e.shutdownWanted && !e.closed) {
                e.pending += w.size();
            }
        } else if (op instanceof Read r) {
            end(r.side()).read(r.max());
        } else if (op instanceof Shutdown s) {
            end(s.side()).shutdownWanted = true;
        } else if (op instanceof Close c) {
            End e = end(c.side());
            e.shutdownWanted = true;
            e.closeWanted = true;
        } else if (op instanceof CloseNow c) {
            end(c.side()).closeNow();
        } else if (op instanceof Advance adv) {
            net.runUntil(() -> {
                client.pump();
                server.pump();
                return false;
            }, Duration.ofNanos(adv.micros() * 1000L));
        }
    }

    /** Both sides shut down, read to the end and close; then the oracle. */
    private void finish() {
        for (End e : List.of(client, server)) {
            e.shutdownWanted = true;
            e.closeWanted = true;
        }
        boolean done = net.runUntil(() -> {
            for (End e : List.of(client, server)) {
                e.pump();
                e.read(Long.MAX_VALUE);
                e.pump();
                if (e.failed && !e.closed) {
                    e.closed = true;
                    e.conn.close();
                }
            }
            // A client closed during the handshake may leave no server connection to accept, once the
            // half-open one has timed out.
            boolean serverNeverCame = server.conn == null && !clean && b.connections().isEmpty()
                    && listener.acceptQueueLength() == 0;
            return client.closed && (server.closed || serverNeverCame);
        }, PHASE_BOUND);
        if (!done) {
            throw new AssertionError("the applications could not finish (shut down, read to the end, close) within "
                    + PHASE_BOUND + context());
        }
        if (clean) {
            for (End e : List.of(client, server)) {
                End peer = end(e.side.peer());
                if (!e.eof || e.read != peer.written) {
                    throw new AssertionError(e.side.lower() + " read " + e.read + " of the " + peer.written + " bytes "
                            + peer.side.lower() + " wrote (eof " + e.eof + ")" + context());
                }
                if (e.conn.failure() != null) {
                    throw new AssertionError(e.side.lower() + " failed with " + e.conn.failure() + " in a run without resets"
                            + context());
                }
            }
        }
        boolean ended = net.runUntil(() -> ended(client.conn) && (server.conn == null || ended(server.conn)), PHASE_BOUND);
        if (!ended) {
            throw new AssertionError("the connections did not reach CLOSED or TIME-WAIT within " + PHASE_BOUND + context());
        }
        net.advance(Duration.ofNanos(config(buffers).twoMslNanos()).plusSeconds(1));
        for (End e : List.of(client, server)) {
            if (e.conn != null && e.conn.state() != TcpState.CLOSED) {
                throw new AssertionError(e.side.lower() + " is " + e.conn.state() + " 2MSL after the end" + context());
            }
        }
        for (TcpHost h : List.of(a, b)) {
            if (!h.connections().isEmpty() || h.timeWaitCount() != 0) {
                throw new AssertionError(h.name() + " still holds " + h.connections() + " and " + h.timeWaitCount()
                        + " TIME-WAIT records 2MSL after the end" + context());
            }
        }
        if (a.stats().malformed() != corruptDeliveredTo[0] || b.stats().malformed() != corruptDeliveredTo[1]) {
            throw new AssertionError("malformed counts " + a.stats().malformed() + "/" + b.stats().malformed()
                    + " differ from the corrupted segments delivered " + corruptDeliveredTo[0] + "/" + corruptDeliveredTo[1]
                    + context());
        }
    }

    private static boolean ended(TcpConnection c) {
        TcpState s = c.state();
        return s == TcpState.CLOSED || s == TcpState.TIME_WAIT;
    }

    private void cleanUp() {
        for (End e : List.of(client, server)) {
            if (e.conn != null) {
                try {
                    e.conn.abort();
                } catch (RuntimeException ignored) {
                    // already failing; the network's close below releases what travels
                }
            }
        }
        if (listener != null) {
            try {
                listener.close();
            } catch (RuntimeException ignored) {
                // as above
            }
        }
        net.close();
        scratch.release();
    }
}
