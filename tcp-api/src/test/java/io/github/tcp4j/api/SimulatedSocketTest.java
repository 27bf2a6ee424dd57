package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.CongestionControl;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimLink;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket API on virtual time: each documented behaviour and error, written in blocking style. */
class SimulatedSocketTest {

    private static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");
    private static final IpAddress SERVER = IpAddress.parse("10.0.0.2");
    private static final InetSocketAddress SERVER_80 = new InetSocketAddress(SERVER.toInetAddress(), 80);

    private SimNetwork net;
    private SimLink link;
    private TcpStack client;
    private TcpStack server;

    @BeforeEach
    void setUp() {
        net = new SimNetwork(99);
        SimHost a = net.addHost("client", CLIENT);
        SimHost b = net.addHost("server", SERVER);
        link = net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(10)).build());
        client = TcpStack.builder().simulated(net, a).secret(1).build();
        server = TcpStack.builder().simulated(net, b).secret(2).build();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
        net.close();
    }

    /** The rule for blocking tests on one thread: start the server's accept asynchronously, then connect. */
    private TcpSocket[] connected() throws IOException {
        TcpServerSocket ss = server.listen(80);
        CompletableFuture<TcpSocket> accepted = ss.acceptAsync();
        TcpSocket c = client.connect(SERVER_80);
        // The client is ESTABLISHED when its connect returns; the server one trip later.
        return new TcpSocket[] {c, server.await(accepted, Duration.ofSeconds(1))};
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void echoWithStreamsAndEndOfStream() throws IOException {
        TcpSocket[] cs = connected();
        OutputStream out = cs[0].getOutputStream();
        out.write(bytes("hello, tcp4j"));
        byte[] got = new byte[12];
        InputStream in = cs[1].getInputStream();
        int n = 0;
        while (n < got.length) {
            n += in.read(got, n, got.length - n);
        }
        assertEquals("hello, tcp4j", new String(got, StandardCharsets.UTF_8));
        cs[1].getOutputStream().write(got);
        cs[1].shutdownOutput();
        assertEquals("hello, tcp4j", readAll(cs[0].getInputStream()), "then -1: the server's FIN");
        assertEquals(TcpState.CLOSE_WAIT, cs[0].state());
        cs[0].close();
        assertEquals(-1, cs[1].getInputStream().read(), "the client's FIN ends the server's stream");
        cs[1].close();
        assertEquals(TcpState.TIME_WAIT, cs[1].state(), "the server's FIN went first: TIME_WAIT is on its side");
    }

    @Test
    void aLargeTransferArrivesIntactBothWays() throws IOException {
        TcpSocket[] cs = connected();
        byte[] data = new byte[1_000_000];
        new java.util.Random(5).nextBytes(data);
        CompletableFuture<Void> sent = cs[0].writeAsync(ByteBuffer.wrap(data));
        ByteBuffer received = ByteBuffer.allocate(data.length);
        while (received.hasRemaining()) {
            assertTrue(cs[1].read(received) > 0);
        }
        assertTrue(sent.isDone());
        assertArrayEquals(data, received.array());
        cs[0].close();
        cs[1].close();
    }

    @Test
    void connectToAPortNobodyListensOnIsRefused() {
        ConnectException e = assertThrows(ConnectException.class, () -> client.connect(new InetSocketAddress(SERVER.toInetAddress(), 81)));
        assertEquals("Connection refused", e.getMessage());
    }

    @Test
    void connectTimesOutInVirtualTime() {
        link.aToB().partition();
        long start = net.now();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                () -> client.connect(SERVER_80, null, Duration.ofSeconds(3)));
        assertEquals("Connect timed out", e.getMessage());
        assertEquals(3_000_000_000L, net.now() - start, "exactly the timeout, in virtual time");
    }

    @Test
    void connectWithoutTimeoutGivesUpAfterTheSynRetries() {
        link.aToB().partition();
        SocketException e = assertThrows(SocketException.class, () -> client.connect(SERVER_80));
        assertEquals("Connection timed out", e.getMessage());
    }

    @Test
    void readTimesOutAfterSoTimeout() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].setSoTimeout(1500);
        long start = net.now();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> cs[0].getInputStream().read());
        assertEquals("Read timed out", e.getMessage());
        assertEquals(1_500_000_000L, net.now() - start);
        assertEquals(TcpState.ESTABLISHED, cs[0].state(), "a read timeout does not end the connection");
        cs[1].getOutputStream().write(7);
        assertEquals(7, cs[0].getInputStream().read());
        cs[0].close();
        cs[1].close();
    }

    @Test
    void writingToAClosedPeerResetsThenBreaksThePipe() throws IOException {
        TcpSocket[] cs = connected();
        cs[1].close();
        net.advance(Duration.ofMillis(50));
        OutputStream out = cs[0].getOutputStream();
        out.write(bytes("are you there?")); // goes out; the peer's application is gone, so it answers RST
        net.advance(Duration.ofMillis(50));
        assertThrows(ConnectionResetException.class, () -> out.write(bytes("hello?")));
        BrokenPipeException pipe = assertThrows(BrokenPipeException.class, () -> out.write(bytes("hello??")));
        assertTrue(pipe.getMessage().startsWith("Broken pipe"));
        assertEquals(-1, cs[0].getInputStream().read(), "after the reset was reported, reading ends");
        cs[0].close();
    }

    @Test
    void lingerZeroResetsThePeer() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].setOption(StandardSocketOptions.SO_LINGER, 0);
        cs[0].close();
        ConnectionResetException e = assertThrows(ConnectionResetException.class, () -> cs[1].getInputStream().read());
        assertTrue(e.getMessage().startsWith("Connection reset"));
        cs[1].close();
    }

    @Test
    void abortResetsThePeer() throws IOException {
        TcpSocket[] cs = connected();
        cs[1].abort();
        assertThrows(ConnectionResetException.class, () -> cs[0].getInputStream().read());
        cs[0].close();
    }

    @Test
    void addressAlreadyInUse() throws IOException {
        TcpServerSocket ss = server.listen(80);
        BindException taken = assertThrows(BindException.class, () -> server.listen(80));
        assertEquals("Address already in use", taken.getMessage());
        TcpSocket[] cs = new TcpSocket[2];
        CompletableFuture<TcpSocket> accepted = ss.acceptAsync();
        cs[0] = client.connect(SERVER_80);
        cs[1] = server.await(accepted, Duration.ofSeconds(1));
        ss.close();
        cs[1].close();
        assertEquals(-1, cs[0].getInputStream().read());
        cs[0].close();
        net.advance(Duration.ofMillis(50));
        assertTrue(server.netstat().contains("TIME_WAIT"), server.netstat());
        assertThrows(BindException.class, () -> server.listen(null, 80, 5, false), "TIME_WAIT holds the port");
        server.listen(null, 80, 5, true).close(); // SO_REUSEADDR
    }

    @Test
    void acceptTimesOut() throws IOException {
        TcpServerSocket ss = server.listen(80);
        ss.setSoTimeout(2000);
        long start = net.now();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, ss::accept);
        assertEquals("Accept timed out", e.getMessage());
        assertEquals(2_000_000_000L, net.now() - start);
        ss.close();
    }

    @Test
    void halfCloseLetsThePeerKeepSending() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].shutdownOutput();
        assertEquals(-1, cs[1].getInputStream().read());
        cs[1].getOutputStream().write(bytes("still talking"));
        cs[1].close();
        assertEquals("still talking", readAll(cs[0].getInputStream()));
        SocketException shut = assertThrows(SocketException.class, () -> cs[0].getOutputStream().write(1));
        assertEquals("Socket output is shutdown", shut.getMessage());
        cs[0].close();
    }

    @Test
    void shutdownInputMakesReadsEndAndDiscardsWhatArrives() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].shutdownInput();
        cs[1].getOutputStream().write(bytes("ignored"));
        net.advance(Duration.ofMillis(50));
        assertEquals(-1, cs[0].getInputStream().read());
        assertEquals(0, cs[0].getInputStream().available());
        cs[0].close();
        cs[1].close();
    }

    @Test
    void callsOnAClosedSocketFail() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].close();
        assertTrue(cs[0].isClosed());
        assertEquals("Socket is closed", assertThrows(SocketException.class, () -> cs[0].getInputStream().read()).getMessage());
        assertEquals("Socket is closed", assertThrows(SocketException.class, () -> cs[0].getOutputStream().write(1)).getMessage());
        cs[0].close(); // idempotent
        cs[1].close();
    }

    @Test
    void asyncCallsComplete() throws Exception {
        TcpServerSocket ss = server.listen(80);
        CompletableFuture<TcpSocket> accepted = ss.acceptAsync();
        CompletableFuture<TcpSocket> connecting = client.connectAsync(SERVER_80);
        assertFalse(connecting.isDone(), "nothing happens until the simulation runs");
        net.advance(Duration.ofMillis(100));
        TcpSocket c = connecting.get();
        TcpSocket s = accepted.get();
        ByteBuffer in = ByteBuffer.allocate(16);
        CompletableFuture<Integer> read = s.readAsync(in);
        c.writeAsync(ByteBuffer.wrap(bytes("async")));
        net.advance(Duration.ofMillis(100));
        assertEquals(5, read.get());
        assertEquals("async", new String(in.array(), 0, 5, StandardCharsets.UTF_8));
        CompletableFuture<Integer> refused = client.connectAsync(new InetSocketAddress(SERVER.toInetAddress(), 9))
                .thenApply(x -> 1);
        net.advance(Duration.ofMillis(100));
        assertTrue(refused.isCompletedExceptionally());
        c.close();
        s.close();
        ss.close();
    }

    @Test
    void aBlockingCallThatCanNeverCompleteSaysSo() throws IOException {
        TcpServerSocket ss = server.listen(80);
        IllegalStateException e = assertThrows(IllegalStateException.class, ss::accept);
        assertTrue(e.getMessage().contains("can never complete"), e.getMessage());
        ss.close();
    }

    @Test
    void netstatShowsTheConnections() throws IOException {
        TcpSocket[] cs = connected();
        String view = server.netstat();
        assertTrue(view.contains("LISTEN") && view.contains("ESTABLISHED"), view);
        assertEquals(2, server.connections().size());
        cs[0].close();
        cs[1].close();
    }

    @Test
    void closingTheStackReleasesEverything() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].getOutputStream().write(new byte[100_000]);
        client.close();
        server.close();
        assertTrue(cs[0].isClosed());
        assertTrue(cs[1].isClosed());
    }

    @Test
    void keepAliveFindsAVanishedPeerAndTheUserTimeoutGivesUpOnUnacknowledgedData() throws IOException {
        TcpSocket[] cs = connected();
        cs[0].setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertTrue(cs[0].getOption(StandardSocketOptions.SO_KEEPALIVE));
        cs[1].setOption(TcpSocketOptions.TCP_USER_TIMEOUT, 3000);
        assertEquals(3000, cs[1].getOption(TcpSocketOptions.TCP_USER_TIMEOUT));
        link.partition();
        cs[1].getOutputStream().write(bytes("lost"));
        net.advance(Duration.ofMillis(3100));
        assertEquals(TcpState.CLOSED, cs[1].state(), "the user timeout (3 s) ended the server's side");
        assertEquals("Connection timed out", assertThrows(SocketException.class, () -> cs[1].getOutputStream().write(1)).getMessage());
        net.advance(Duration.ofHours(2).plusMinutes(15)); // the default idle time is 2 hours, then 9 probes 75 s apart
        assertEquals(TcpState.CLOSED, cs[0].state(), "keep-alive gave up on the silent server");
        assertEquals("Connection timed out", assertThrows(SocketException.class, () -> cs[0].getInputStream().read()).getMessage());
        cs[0].close();
        cs[1].close();
    }

    @Test
    void bufferSizesCanShrinkWithoutLosingAByte() throws Exception {
        TcpSocket[] cs = connected();
        assertEquals(256 * 1024, cs[1].getOption(StandardSocketOptions.SO_RCVBUF), "the stack's default to start with");
        cs[1].setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        cs[0].setOption(StandardSocketOptions.SO_SNDBUF, 2048);
        assertEquals(4096, cs[1].getOption(StandardSocketOptions.SO_RCVBUF));
        assertEquals(2048, cs[0].getOption(StandardSocketOptions.SO_SNDBUF));
        byte[] data = new byte[400_000];
        new java.util.Random(8).nextBytes(data);
        CompletableFuture<Void> sent = cs[0].writeAsync(ByteBuffer.wrap(data));
        ByteBuffer got = ByteBuffer.allocate(data.length);
        while (got.hasRemaining()) {
            ByteBuffer small = ByteBuffer.allocate(1000); // a slow reader: 1,000 bytes at a time
            int n = cs[1].read(small);
            got.put(small.flip());
            assertTrue(n > 0);
        }
        assertTrue(sent.isDone());
        assertArrayEquals(data, got.array());
        cs[0].close();
        cs[1].close();
    }

    @Test
    void nagleHoldsASecondSmallWriteUntilTheFirstIsAcknowledgedAndTcpNoDelayReleasesIt() throws IOException {
        TcpSocket[] cs = connected();
        net.advance(Duration.ofMillis(100)); // the handshake's last ACK is in
        List<Long> dataSentAt = new ArrayList<>();
        net.addTap((src, dst, bytes) -> {
            if (src.equals(CLIENT) && bytes.readableBytes() > 32) { // the header with timestamps is 32 bytes: data follows
                dataSentAt.add(net.now());
            }
        });
        assertFalse(cs[0].getOption(StandardSocketOptions.TCP_NODELAY), "Nagle is on by default, as in java.net");
        long t0 = net.now();
        cs[0].getOutputStream().write(bytes("a"));
        cs[0].getOutputStream().write(bytes("b"));
        net.advance(Duration.ofMillis(100));
        assertEquals(2, dataSentAt.size());
        assertEquals(t0, dataSentAt.get(0), "the first small segment goes at once");
        // RFC 9293 3.7.4: the second waits for the ACK of the first: one round trip (20 ms) plus the
        // peer's delayed ACK (40 ms: one small segment is not two full-sized ones)
        assertEquals(t0 + Duration.ofMillis(60).toNanos(), dataSentAt.get(1), "the second waited for the first's ACK");

        cs[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(cs[0].getOption(StandardSocketOptions.TCP_NODELAY));
        dataSentAt.clear();
        long t1 = net.now();
        cs[0].getOutputStream().write(bytes("c"));
        cs[0].getOutputStream().write(bytes("d"));
        net.advance(Duration.ofMillis(100));
        assertEquals(List.of(t1, t1), dataSentAt, "with TCP_NODELAY both go at once");
        byte[] got = new byte[4];
        int n = 0;
        while (n < 4) {
            n += cs[1].getInputStream().read(got, n, 4 - n);
        }
        assertEquals("abcd", new String(got, StandardCharsets.UTF_8));
        cs[0].close();
        cs[1].close();
    }

    @Test
    void theCongestionControlIsChosenPerSocket() throws IOException {
        TcpSocket[] cs = connected();
        assertEquals(CongestionControl.Algorithm.CUBIC, cs[0].getOption(TcpSocketOptions.TCP_CONGESTION), "CUBIC by default");
        cs[0].setOption(TcpSocketOptions.TCP_CONGESTION, CongestionControl.Algorithm.NEW_RENO);
        assertEquals(CongestionControl.Algorithm.NEW_RENO, cs[0].getOption(TcpSocketOptions.TCP_CONGESTION));
        assertEquals(CongestionControl.Algorithm.CUBIC, cs[1].getOption(TcpSocketOptions.TCP_CONGESTION), "the other socket keeps its own");
        byte[] data = new byte[300_000];
        new java.util.Random(3).nextBytes(data);
        CompletableFuture<Void> sent = cs[0].writeAsync(ByteBuffer.wrap(data));
        ByteBuffer got = ByteBuffer.allocate(data.length);
        while (got.hasRemaining()) {
            cs[1].read(got);
        }
        assertTrue(sent.isDone());
        assertArrayEquals(data, got.array(), "NewReno carries the stream as well");
        cs[0].close();
        cs[1].close();
    }
}
