package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.host.TcpHostStats;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SegmentTap;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpFlags;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bulk transfer between two tcp4j hosts over one simulated link, in virtual time: the client
 * sends {@code clientBytes} and the server {@code serverBytes} at the same time, both streams of
 * seeded random bytes, each side hashing (SHA-256) what it writes and what it reads. Then both
 * shut down output, read to the end of the stream and close; the run goes on until both hosts
 * hold no connection and no TIME-WAIT record. A "stalling reader" lets its receive buffer fill:
 * it looks every {@code stallInterval} and reads only once its window has been closed (zero) for a
 * whole interval, then drains the buffer; so its window closes every cycle, whatever the pace of
 * the network, and stays closed long enough to be probed.
 *
 * <p>Besides the end-to-end goodput, each receiver notes when its count of bytes read first
 * reached {@link #measureFrom(double) a fraction} of its stream and when it reached all of it:
 * the goodput between the two ("steady state": the bytes that arrived after the first instant
 * over the time between the instants) leaves the handshake and slow start out. The first instant
 * waits, if need be, until no out-of-order data waits in the receive buffer, so that a hole
 * filled later does not count bytes that crossed the link before the measurement began. A tap
 * counts the segments each host sent that advertised a zero window.
 *
 * <p>Used by the transfer matrix, the goodput table and the goodput assertions.
 */
final class BulkTransfer {

    static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");
    static final IpAddress SERVER = IpAddress.parse("10.0.0.2");
    private static final int CHUNK = 64 * 1024;

    /** What one run measured. */
    record Result(boolean completed, long virtualNanos, long clientToServerBytes, long serverToClientBytes,
            boolean clientStreamIntact, boolean serverStreamIntact, boolean closedCleanly, long clientDoneNanos,
            long serverDoneNanos, TcpHostStats clientStats, TcpHostStats serverStats, String failure,
            TcpConnection clientConnection, TcpConnection serverConnection, long clientZeroWindows,
            long serverZeroWindows, double clientSteadyBps, double serverSteadyBps, String leftOver) {

        /** Goodput of the client-to-server stream in bits per second of virtual time (from the start to its last byte read). */
        double clientGoodputBps() {
            return clientToServerBytes * 8e9 / Math.max(1, clientDoneNanos);
        }

        /** Goodput of the server-to-client stream in bits per second of virtual time. */
        double serverGoodputBps() {
            return serverToClientBytes * 8e9 / Math.max(1, serverDoneNanos);
        }

        @Override
        public String toString() {
            return "completed=" + completed + " t=" + virtualNanos / 1e9 + "s c>s=" + clientToServerBytes + " s>c="
                    + serverToClientBytes + " intact=" + clientStreamIntact + "/" + serverStreamIntact + " clean="
                    + closedCleanly + (leftOver.isEmpty() ? "" : " (" + leftOver + ")") + " zeroWindows="
                    + clientZeroWindows + "/" + serverZeroWindows + "\n  client " + clientStats + "\n  server " + serverStats
                    + (failure == null ? "" : "\n  " + failure);
        }
    }

    private final TcpConfig clientConfig;
    private final TcpConfig serverConfig;
    private final LinkConfig link;
    private final long seed;
    private long clientBytes;
    private long serverBytes;
    private Duration stallInterval = Duration.ofSeconds(1);
    private boolean stallingServer;
    private boolean stallingClient;
    private double measureFrom = 0.5;
    private Duration timeout = Duration.ofHours(12);
    private final List<SegmentTap> taps = new ArrayList<>();
    /** The network of the run in progress (for taps that want the time). */
    SimNetwork network;

    BulkTransfer(TcpConfig config, LinkConfig link, long seed) {
        this(config, config, link, seed);
    }

    BulkTransfer(TcpConfig clientConfig, TcpConfig serverConfig, LinkConfig link, long seed) {
        this.clientConfig = clientConfig;
        this.serverConfig = serverConfig;
        this.link = link;
        this.seed = seed;
    }

    BulkTransfer bytes(long clientToServer, long serverToClient) {
        this.clientBytes = clientToServer;
        this.serverBytes = serverToClient;
        return this;
    }

    /** The server reads only after its window has been zero for {@code interval}, then drains its buffer. */
    BulkTransfer stallingServerReader(Duration interval) {
        this.stallingServer = true;
        this.stallInterval = interval;
        return this;
    }

    /** Both ends read only after their windows have been zero for {@code interval}: both windows close, again and again. */
    BulkTransfer stallingReaders(Duration interval) {
        stallingServerReader(interval);
        this.stallingClient = true;
        return this;
    }

    /** Steady-state goodput is measured from when a receiver has read this fraction of its stream (default 0.5). */
    BulkTransfer measureFrom(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction in [0, 1): " + fraction);
        }
        this.measureFrom = fraction;
        return this;
    }

    /** The virtual time the transfer may take (the closing handshakes and TIME-WAIT come on top). */
    BulkTransfer timeout(Duration virtual) {
        this.timeout = virtual;
        return this;
    }

    /** Adds a tap on the network (for tracing a run while investigating it). */
    BulkTransfer tap(SegmentTap tap) {
        taps.add(tap);
        return this;
    }

    Result run() {
        SimNetwork net = new SimNetwork(seed);
        network = net;
        Side clientSide = null;
        Side serverSide = null;
        try {
            SimHost a = net.addHost("client", CLIENT);
            SimHost b = net.addHost("server", SERVER);
            net.link(a, b, link);
            long[] zeroWindows = new long[2];
            net.addTap((source, destination, segment) -> {
                int at = segment.readerIndex();
                int flags = segment.getUnsignedByte(at + 13);
                if ((flags & (TcpFlags.SYN | TcpFlags.RST)) == 0 && segment.getUnsignedShort(at + 14) == 0) {
                    zeroWindows[source.equals(CLIENT) ? 0 : 1]++;
                }
            });
            taps.forEach(net::addTap);
            TcpHost client = TcpHost.attach(net, a, clientConfig, seed * 31 + 1);
            TcpHost server = TcpHost.attach(net, b, serverConfig, seed * 31 + 2);
            Side cs = new Side(net, clientBytes, serverBytes, new SplittableRandom(seed ^ 0x5DEECE66DL), stallingClient,
                    stallInterval, measureFrom);
            Side ss = new Side(net, serverBytes, clientBytes, new SplittableRandom(~seed), stallingServer, stallInterval,
                    measureFrom);
            clientSide = cs;
            serverSide = ss;
            TcpListener listener = server.listen(null, 80, 16, false);
            listener.handler(l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) {
                    ss.attach(c);
                }
            });
            cs.attach(client.connect(null, 0, SERVER, 80, cs));
            boolean done = net.runUntil(() -> cs.finished() && ss.finished(), timeout);
            long end = net.now();
            listener.close();
            // both ends closed: let FIN-WAIT and LAST-ACK finish, then TIME-WAIT expire
            net.runUntil(() -> idle(client) && idle(server), Duration.ofHours(2));
            boolean clean = idle(client) && idle(server) && cs.connection != null && cs.connection.failure() == null
                    && ss.connection != null && ss.connection.failure() == null;
            String leftOver = clean ? "" : "client " + client.netstat() + " failure=" + failureOf(cs) + ", server "
                    + server.netstat() + " failure=" + failureOf(ss);
            String failure = done ? null : "client " + cs + " / server " + ss;
            return new Result(done, end, ss.received, cs.received,
                    done && Arrays.equals(cs.sentHash(), ss.receivedHash()),
                    done && Arrays.equals(ss.sentHash(), cs.receivedHash()), clean,
                    ss.lastByteAt, cs.lastByteAt, client.stats(), server.stats(), failure, cs.connection, ss.connection,
                    zeroWindows[0], zeroWindows[1], ss.steadyBps(), cs.steadyBps(), leftOver);
        } finally {
            net.close();
            if (clientSide != null) {
                clientSide.release();
            }
            if (serverSide != null) {
                serverSide.release();
            }
        }
    }

    private static boolean idle(TcpHost host) {
        return host.connectionCount() == 0 && host.timeWaitCount() == 0;
    }

    private static String failureOf(Side side) {
        return side.connection == null ? "no connection" : String.valueOf(side.connection.failure());
    }

    /** One application: writes its stream as the send buffer makes room, reads what arrives. */
    private static final class Side implements ConnectionHandler {
        private final SimNetwork net;
        private final long toSend;
        private final long toReceive;
        private final SplittableRandom random;
        private final boolean slow;
        private final Duration slowInterval;
        /** The window was zero at the last look. */
        private boolean sawZeroWindow;
        private final long markBytes;
        private final MessageDigest sentDigest = sha256();
        private final MessageDigest receivedDigest = sha256();
        private final byte[] chunk = new byte[CHUNK];
        private final ByteBuf pending = Unpooled.wrappedBuffer(chunk);
        private final ByteBuf readBuffer = Unpooled.buffer(CHUNK, CHUNK);
        private long sent;
        private long received;
        private boolean eof;
        private long markAt = -1;
        /** Bytes read by the end of the instant markAt (segments of one burst arrive at the same instant). */
        private long markReceived;
        private long lastByteAt = -1;
        private boolean shutdown;
        private boolean closed;
        TcpConnection connection;

        Side(SimNetwork net, long toSend, long toReceive, SplittableRandom random, boolean slow, Duration slowInterval,
                double measureFrom) {
            this.net = net;
            this.toSend = toSend;
            this.toReceive = toReceive;
            this.random = random;
            this.slow = slow;
            this.slowInterval = slowInterval;
            this.markBytes = (long) (toReceive * measureFrom);
            pending.writerIndex(0);
            if (toReceive == 0) {
                lastByteAt = 0;
            }
        }

        void attach(TcpConnection c) {
            if (connection != null) {
                return;
            }
            connection = c;
            c.handler(this);
            if (c.state() == TcpState.ESTABLISHED || c.state() == TcpState.CLOSE_WAIT) {
                onConnected(c);
            }
            if (slow) {
                net.schedule(slowInterval, this::slowRead);
            }
        }

        @Override
        public void onConnected(TcpConnection c) {
            write();
            if (!slow) {
                read(Integer.MAX_VALUE);
            }
        }

        @Override
        public void onWritable(TcpConnection c) {
            write();
        }

        @Override
        public void onReadable(TcpConnection c) {
            if (!slow) {
                read(Integer.MAX_VALUE);
            }
        }

        private void slowRead() {
            if (closed || connection == null) {
                return;
            }
            // closed as the peer sees it: with window scaling a remainder below 2^shift bytes shows as 0
            boolean zero = connection.rcvWnd() >> connection.receiveWindowShift() == 0;
            if (zero && sawZeroWindow || connection.finReceived()) {
                read(Integer.MAX_VALUE); // closed for a whole interval (or the stream ended): drain
                sawZeroWindow = false;
            } else {
                sawZeroWindow = zero;
            }
            if (!eof) {
                net.schedule(slowInterval, this::slowRead);
            }
        }

        private void write() {
            if (connection == null || shutdown || closed) {
                return;
            }
            while (sent < toSend) {
                if (!pending.isReadable()) {
                    int n = (int) Math.min(CHUNK, toSend - sent);
                    for (int i = 0; i < n; i += 8) {
                        long r = random.nextLong();
                        for (int k = 0; k < 8 && i + k < n; k++) {
                            chunk[i + k] = (byte) (r >>> (8 * k));
                        }
                    }
                    pending.setIndex(0, n);
                    sentDigest.update(chunk, 0, n);
                }
                int taken = connection.send(pending);
                sent += taken;
                if (taken == 0) {
                    return;
                }
            }
            if (sent >= toSend && !pending.isReadable()) {
                shutdown = true;
                connection.shutdownOutput();
                maybeClose();
            }
        }

        private void read(int limit) {
            if (connection == null || closed) {
                return;
            }
            int left = limit;
            while (left > 0 && !eof) {
                int room = Math.min(CHUNK, left);
                readBuffer.setIndex(CHUNK - room, CHUNK - room);
                int n = connection.receive(readBuffer);
                if (n < 0) {
                    eof = true;
                    break;
                }
                if (n == 0) {
                    break;
                }
                receivedDigest.update(readBuffer.array(), readBuffer.arrayOffset() + readBuffer.readerIndex(), n);
                received += n;
                left -= n;
                if (markAt < 0 && received >= markBytes && received > 0 && !connection.receiveBuffer.hasGap()) {
                    markAt = net.now(); // no out-of-order data waiting: what arrives from now on crosses the link from now on
                }
                if (markAt == net.now()) {
                    markReceived = received;
                }
                if (received >= toReceive && lastByteAt < 0) {
                    lastByteAt = net.now();
                }
            }
            maybeClose();
        }

        /**
         * Goodput in bits per second between the mark and the last byte: the bytes that arrived after
         * the instant of the mark over the time from the mark to the last byte (so a window that
         * arrives as one burst counts once, not as a free extra).
         */
        double steadyBps() {
            if (markAt < 0 || lastByteAt <= markAt) {
                return Double.NaN;
            }
            return (toReceive - markReceived) * 8e9 / (lastByteAt - markAt);
        }

        private void maybeClose() {
            if (eof && shutdown && !closed) {
                closed = true;
                connection.close();
            }
        }

        boolean finished() {
            return closed;
        }

        byte[] sentHash() {
            return sentDigest.digest();
        }

        byte[] receivedHash() {
            return receivedDigest.digest();
        }

        void release() {
            pending.release();
            readBuffer.release();
        }

        @Override
        public String toString() {
            return "sent " + sent + "/" + toSend + ", received " + received + (eof ? " eof" : "") + (closed ? " closed" : "")
                    + (connection == null ? "" : " " + connection + " cwnd=" + connection.congestionWindow() + " sndwnd="
                            + connection.sendWindow() + " queued=" + connection.sendQueued() + " rto=" + connection.rto() / 1e6 + "ms");
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
