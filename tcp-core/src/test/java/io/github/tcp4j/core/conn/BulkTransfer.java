package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.host.TcpHostStats;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A bulk transfer between two tcp4j hosts over one simulated link, in virtual time: the client
 * sends {@code clientBytes} and the server {@code serverBytes} at the same time, both streams of
 * seeded random bytes, each side hashing (SHA-256) what it writes and what it reads. Then both
 * shut down output, read to the end of the stream and close. A "slow reader" reads at most
 * {@code slowReadBytes} every {@code slowReadInterval}, so its window fills and closes.
 *
 * <p>Used by the transfer matrix, the goodput table and the mechanism tests.
 */
final class BulkTransfer {

    static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");
    static final IpAddress SERVER = IpAddress.parse("10.0.0.2");
    private static final int CHUNK = 64 * 1024;

    /** What one run measured. */
    record Result(boolean completed, long virtualNanos, long clientToServerBytes, long serverToClientBytes,
            boolean clientStreamIntact, boolean serverStreamIntact, boolean closedCleanly, long clientDoneNanos,
            long serverDoneNanos, TcpHostStats clientStats, TcpHostStats serverStats, String failure) {

        /** Goodput of the client-to-server stream in bits per second of virtual time. */
        double clientGoodputBps() {
            return clientToServerBytes * 8e9 / Math.max(1, clientDoneNanos);
        }

        /** Goodput of the server-to-client stream in bits per second of virtual time. */
        double serverGoodputBps() {
            return serverToClientBytes * 8e9 / Math.max(1, serverDoneNanos);
        }
    }

    private final TcpConfig clientConfig;
    private final TcpConfig serverConfig;
    private final LinkConfig link;
    private final long seed;
    private long clientBytes;
    private long serverBytes;
    private int slowReadBytes;
    private Duration slowReadInterval = Duration.ofMillis(100);
    private boolean slowServerReader;
    private Duration timeout = Duration.ofHours(12);

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

    /** The server reads at most {@code bytes} per {@code interval} (its window closes). */
    BulkTransfer slowServerReader(int bytes, Duration interval) {
        this.slowServerReader = true;
        this.slowReadBytes = bytes;
        this.slowReadInterval = interval;
        return this;
    }

    BulkTransfer timeout(Duration virtual) {
        this.timeout = virtual;
        return this;
    }

    Result run() {
        SimNetwork net = new SimNetwork(seed);
        try {
            SimHost a = net.addHost("client", CLIENT);
            SimHost b = net.addHost("server", SERVER);
            net.link(a, b, link);
            TcpHost client = TcpHost.attach(net, a, clientConfig, seed * 31 + 1);
            TcpHost server = TcpHost.attach(net, b, serverConfig, seed * 31 + 2);
            Side clientSide = new Side(net, clientBytes, new SplittableRandom(seed ^ 0x5DEECE66DL), false, 0, null);
            Side serverSide = new Side(net, serverBytes, new SplittableRandom(~seed), slowServerReader, slowReadBytes,
                    slowReadInterval);
            server.listen(null, 80, 16, false).handler(l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) {
                    serverSide.attach(c);
                }
            });
            clientSide.attach(client.connect(null, 0, SERVER, 80, clientSide));
            boolean done = net.runUntil(() -> clientSide.finished() && serverSide.finished(), timeout);
            long end = net.now();
            // both ends closed: let FIN-WAIT and LAST-ACK finish, then TIME-WAIT expire
            net.runUntil(() -> client.connectionCount() == 0 && server.connectionCount() == 0, Duration.ofMinutes(10));
            boolean clean = client.connectionCount() == 0 && server.connectionCount() == 0
                    && clientSide.connection.failure() == null && serverSide.connection != null
                    && serverSide.connection.failure() == null;
            String failure = done ? null : "client " + clientSide + " / server " + serverSide;
            return new Result(done, end, serverSide.received, clientSide.received,
                    done && Arrays.equals(clientSide.sentHash(), serverSide.receivedHash()),
                    done && Arrays.equals(serverSide.sentHash(), clientSide.receivedHash()), clean,
                    serverSide.eofAt, clientSide.eofAt, client.stats(), server.stats(), failure);
        } finally {
            net.close();
        }
    }

    /** One application: writes its stream as the send buffer makes room, reads what arrives. */
    private static final class Side implements ConnectionHandler {
        private final SimNetwork net;
        private final long toSend;
        private final SplittableRandom random;
        private final boolean slow;
        private final int slowBytes;
        private final Duration slowInterval;
        private final MessageDigest sentDigest = sha256();
        private final MessageDigest receivedDigest = sha256();
        private final byte[] chunk = new byte[CHUNK];
        private final ByteBuf pending = Unpooled.wrappedBuffer(chunk);
        private final ByteBuf readBuffer = Unpooled.buffer(CHUNK, CHUNK);
        private long sent;
        private long received;
        private boolean eof;
        private long eofAt = -1;
        private boolean shutdown;
        private boolean closed;
        TcpConnection connection;

        Side(SimNetwork net, long toSend, SplittableRandom random, boolean slow, int slowBytes, Duration slowInterval) {
            this.net = net;
            this.toSend = toSend;
            this.random = random;
            this.slow = slow;
            this.slowBytes = slowBytes;
            this.slowInterval = slowInterval;
            pending.writerIndex(0);
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
            read(slowBytes);
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
                    int n = (int) Math.min(CHUNK, toSend - sent - 0);
                    for (int i = 0; i < n; i += 8) {
                        long r = random.nextLong();
                        for (int k = 0; k < 8 && i + k < n; k++) {
                            chunk[i + k] = (byte) (r >>> (8 * k));
                        }
                    }
                    pending.setIndex(0, n);
                    sentDigest.update(chunk, 0, n);
                }
                int before = pending.readableBytes();
                int taken = connection.send(pending);
                sent += taken;
                if (taken < before && taken == 0) {
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
                    eofAt = net.now();
                    break;
                }
                if (n == 0) {
                    break;
                }
                receivedDigest.update(readBuffer.array(), readBuffer.arrayOffset() + readBuffer.readerIndex(), n);
                received += n;
                left -= n;
            }
            maybeClose();
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
