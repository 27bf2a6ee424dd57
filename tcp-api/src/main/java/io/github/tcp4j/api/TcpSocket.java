package io.github.tcp4j.api;

import io.github.tcp4j.core.conn.CongestionControl;
import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.fsm.TcpState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One TCP connection, used like {@code java.net.Socket}: streams, blocking reads and writes on
 * byte arrays, {@link ByteBuffer}s and Netty {@link ByteBuf}s, async variants returning
 * {@link CompletableFuture}s, half-close, abort, options. Thread-safe: calls from any thread are
 * carried out on the stack, one at a time (in real time the calling thread usually runs the stack's
 * work itself, holding the stack's lock; see {@link TcpStack}).
 *
 * <h2>Errors</h2>
 * The {@code java.net} exceptions existing handlers expect: {@link java.net.ConnectException}
 * "Connection refused", {@link ConnectionResetException} "Connection reset" (once, after the peer
 * reset the connection), {@link BrokenPipeException} "Broken pipe" (writes after that),
 * {@link SocketTimeoutException} "Read timed out" (with {@link #setSoTimeout}),
 * {@link SocketException} "Connection timed out", "Socket is closed", "Socket output is shutdown".
 *
 * <h2>Async completions</h2>
 * Futures from the async calls complete on whichever thread runs the stack at that moment (its
 * event loop, or an application thread inside a call on the same stack): chain with the
 * {@code ...Async} methods of {@link CompletableFuture} (or hand work to an executor) rather than
 * doing slow work in a dependent stage.
 */
public final class TcpSocket implements AutoCloseable {

    private final TcpStack stack;
    private final Driver driver;
    private TcpConnection conn;

    // Touched only while running the stack (one thread at a time).
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final List<CompletableFuture<Void>> readWaiters = new ArrayList<>();
    private final List<CompletableFuture<Void>> writeWaiters = new ArrayList<>();
    private final PendingCalls pendingReads = new PendingCalls();
    private final PendingCalls pendingWrites = new PendingCalls();
    private final Predicate<BlockingCall> retryStep = this::step;
    private boolean inputShutdown;
    // Reused by blocking reads and writes (a second concurrent caller gets fresh ones).
    private final BlockingCall reader = new BlockingCall(this, false);
    private final BlockingCall writer = new BlockingCall(this, true);

    private volatile boolean closed;
    private volatile int soTimeoutMillis;
    private volatile int lingerSeconds = -1;

    private final ConnectionHandler handler = new ConnectionHandler() {
        @Override
        public void onConnected(TcpConnection c) {
            connected.complete(null);
        }

        @Override
        public void onReadable(TcpConnection c) {
            if (inputShutdown) {
                discardInput();
            }
            wakeReaders();
        }

        @Override
        public void onWritable(TcpConnection c) {
            wakeWriters();
        }

        @Override
        public void onError(TcpConnection c, TcpError error) {
            connected.complete(null);
            wakeReaders();
            wakeWriters();
        }

        @Override
        public void onReleased(TcpConnection c) {
            connected.complete(null);
            wakeReaders();
            wakeWriters();
        }
    };

    TcpSocket(TcpStack stack) {
        this.stack = stack;
        this.driver = stack.driver();
    }

    /** A socket for a connection a listener accepted (while running the stack). */
    static TcpSocket accepted(TcpStack stack, TcpConnection c) {
        TcpSocket s = new TcpSocket(stack);
        s.attach(c);
        c.handler(s.handler);
        s.connected.complete(null);
        stack.adopt(s);
        return s;
    }

    void attach(TcpConnection c) {
        this.conn = c;
    }

    ConnectionHandler handler() {
        return handler;
    }

    CompletableFuture<Void> connectedFuture() {
        return connected;
    }

    /** After the connect future completed: the error if the connection failed (the socket is then closed). */
    void checkConnected() throws IOException {
        TcpError failure = driver.call(() -> conn.state() == TcpState.CLOSED ? (conn.failure() != null ? conn.failure()
                : TcpError.NOT_CONNECTED) : null);
        if (failure != null) {
            close();
            throw SocketErrors.toIo(new TcpException(failure, null));
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads into {@code dst}, blocking until at least one byte arrives, the stream ends (-1) or
     * the read timeout passes.
     */
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        BlockingCall c = BlockingCall.acquire(reader);
        c.prepare(dst);
        return perform(c, soTimeoutMillis, "Read timed out");
    }

    /** Reads into the writable part of {@code dst} (advancing its writer index), like {@link #read(ByteBuffer)}. */
    public int read(ByteBuf dst) throws IOException {
        if (!dst.isWritable()) {
            return 0;
        }
        BlockingCall c = BlockingCall.acquire(reader);
        c.prepare(dst);
        return perform(c, soTimeoutMillis, "Read timed out");
    }

    /** Reads without blocking: the future completes with the count (or -1) once data or the end arrives. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        driver.execute(() -> readAsyncAttempt(dst, result));
        return result;
    }

    private void readAsyncAttempt(ByteBuffer dst, CompletableFuture<Integer> result) {
        try {
            Object r = tryRead(dst);
            if (r instanceof Integer n) {
                result.complete(n);
            } else {
                ((CompletableFuture<?>) r).thenRun(() -> readAsyncAttempt(dst, result));
            }
        } catch (TcpException e) {
            result.completeExceptionally(SocketErrors.toIo(e));
        }
    }

    /** On the stack: the count, or a future that completes when it is worth trying again. */
    private Object tryRead(ByteBuffer dst) {
        checkOpen();
        if (inputShutdown) {
            return -1;
        }
        ByteBuf view = Unpooled.wrappedBuffer(dst).clear();
        int n = conn.receive(view);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        if (n != 0) {
            return n;
        }
        CompletableFuture<Void> w = new CompletableFuture<>();
        readWaiters.add(w);
        return w;
    }

    // ------------------------------------------------------------------ writing

    /** Writes all of {@code src}, blocking while the send buffer is full. */
    public void write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            return;
        }
        BlockingCall c = BlockingCall.acquire(writer);
        c.prepare(src);
        perform(c, 0, null);
    }

    /** Writes all readable bytes of {@code src} (advancing its reader index), like {@link #write(ByteBuffer)}. */
    public void write(ByteBuf src) throws IOException {
        if (!src.isReadable()) {
            return;
        }
        BlockingCall c = BlockingCall.acquire(writer);
        c.prepare(src);
        perform(c, 0, null);
    }

    // ------------------------------------------------------------------ blocking calls

    /**
     * Hands a prepared blocking call to the stack and waits for it (at most
     * {@code timeoutMillis}, 0: no limit): its count, or its failure as an exception. On timeout or
     * interrupt the call is cancelled; bytes already taken (written) stay taken, as with
     * {@code java.net.Socket}.
     */
    private int perform(BlockingCall c, int timeoutMillis, String timeoutMessage) throws IOException {
        boolean finished;
        try {
            finished = driver.perform(c, timeoutMillis * 1_000_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (c.cancel()) {
                throw new InterruptedIOException("interrupted");
            }
            finished = true;
        } catch (RuntimeException e) {
            if (!c.cancel()) {
                c.release();
            }
            throw e;
        }
        if (!finished && c.cancel()) {
            throw new SocketTimeoutException(timeoutMessage);
        }
        TcpException failure = c.failure;
        int n = c.result;
        c.release();
        if (failure != null) {
            throw SocketErrors.toIo(failure);
        }
        return n;
    }

    /** On the stack: a blocking call's first attempt; if it must wait, it waits for the next signal. */
    void firstAttempt(BlockingCall c) {
        if (!step(c)) {
            (c.write ? pendingWrites : pendingReads).add(c);
        }
    }

    /** On the stack: one attempt at {@code c}; true when it is finished (done, failed or abandoned). */
    private boolean step(BlockingCall c) {
        if (!c.claim()) {
            return true; // the caller gave up
        }
        try {
            if (c.write ? attemptWrite(c) : attemptRead(c)) {
                c.finish();
                return true;
            }
            c.keepWaiting();
            return false;
        } catch (TcpException e) {
            c.failure = e;
            c.finish();
            return true;
        }
    }

    /** Reads what has arrived: true with the count (or -1) when there was something to report. */
    private boolean attemptRead(BlockingCall c) {
        checkOpen();
        if (inputShutdown) {
            c.result = -1;
            return true;
        }
        int before = c.buf.writerIndex();
        int n = conn.receive(c.buf);
        if (n == 0) {
            return false;
        }
        if (n > 0 && c.nio != null) {
            c.nio.position(c.nio.position() + (c.buf.writerIndex() - before));
        }
        c.result = n;
        return true;
    }

    /** Moves what fits into the send buffer: true when everything is in. */
    private boolean attemptWrite(BlockingCall c) {
        checkOpen();
        int n = conn.send(c.buf);
        if (c.nio != null) {
            c.nio.position(c.nio.position() + n);
        }
        return !c.buf.isReadable();
    }

    private void wakeReaders() {
        wake(readWaiters);
        if (!pendingReads.isEmpty()) {
            pendingReads.retry(retryStep);
        }
    }

    private void wakeWriters() {
        wake(writeWaiters);
        if (!pendingWrites.isEmpty()) {
            pendingWrites.retry(retryStep);
        }
    }

    /** Writes all of {@code src} without blocking: the future completes once everything is in the send buffer. */
    public CompletableFuture<Void> writeAsync(ByteBuffer src) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        driver.execute(() -> writeAsyncAttempt(src, result));
        return result;
    }

    private void writeAsyncAttempt(ByteBuffer src, CompletableFuture<Void> result) {
        try {
            while (src.hasRemaining()) {
                Object r = tryWrite(src);
                if (r instanceof CompletableFuture<?> w) {
                    w.thenRun(() -> writeAsyncAttempt(src, result));
                    return;
                }
            }
            result.complete(null);
        } catch (TcpException e) {
            result.completeExceptionally(SocketErrors.toIo(e));
        }
    }

    /** On the stack: the count taken, or a future that completes when there may be room. */
    private Object tryWrite(ByteBuffer src) {
        checkOpen();
        ByteBuf view = Unpooled.wrappedBuffer(src);
        int n = conn.send(view);
        src.position(src.position() + n);
        if (n > 0) {
            return n;
        }
        CompletableFuture<Void> w = new CompletableFuture<>();
        writeWaiters.add(w);
        return w;
    }

    // ------------------------------------------------------------------ streams

    /** The input stream: {@code read} blocks, returns -1 at the end of the stream, honours the read timeout. Closing it closes the socket. */
    public InputStream getInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                return len == 0 ? 0 : TcpSocket.this.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public int available() throws IOException {
                return SocketErrors.translate(() -> driver.call(() -> closed ? 0 : conn.available()));
            }

            @Override
            public void close() {
                TcpSocket.this.close();
            }
        };
    }

    /** The output stream: {@code write} blocks until the bytes are in the send buffer. Closing it closes the socket. */
    public OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                TcpSocket.this.write(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() {
                TcpSocket.this.close();
            }
        };
    }

    // ------------------------------------------------------------------ closing

    /** Half-close: a FIN follows the queued data; reading goes on. */
    public void shutdownOutput() throws IOException {
        SocketErrors.translate(() -> driver.call(() -> {
            checkOpen();
            conn.shutdownOutput();
            return null;
        }));
    }

    /** Reads return -1 from now on; data that arrives is discarded (the peer is not told, as with BSD sockets). */
    public void shutdownInput() throws IOException {
        SocketErrors.translate(() -> driver.call(() -> {
            checkOpen();
            inputShutdown = true;
            discardInput();
            wakeReaders();
            return null;
        }));
    }

    /**
     * Closes the socket: a FIN follows the queued data (or a RST if received data is unread, or if
     * SO_LINGER is 0). Does not wait. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        driver.run(() -> closeOnStack());
    }

    /** Resets the connection at once (RST), discarding queued data, like close with SO_LINGER 0. Idempotent. */
    public void abort() {
        if (closed) {
            return;
        }
        driver.run(() -> abortOnStack());
    }

    void closeOnStack() {
        if (closed) {
            return;
        }
        if (lingerSeconds == 0) {
            abortOnStack();
            return;
        }
        closed = true;
        conn.close();
        finish();
    }

    void abortOnStack() {
        if (closed && conn.state() == TcpState.CLOSED) {
            return;
        }
        closed = true;
        conn.abort();
        finish();
    }

    private void finish() {
        wakeReaders();
        wakeWriters();
        connected.complete(null);
        stack.forget(this);
    }

    private void discardInput() {
        ByteBuf sink = Unpooled.buffer(4096);
        try {
            while (conn.available() > 0) {
                sink.clear();
                conn.receive(sink);
            }
        } finally {
            sink.release();
        }
    }

    // ------------------------------------------------------------------ state and options

    /** The connection's state, one of the eleven. */
    public TcpState state() {
        return driver.call(conn::state);
    }

    /** The options the handshake negotiated: MSS, window scaling, timestamps, SACK. */
    public NegotiatedOptions negotiatedOptions() {
        return driver.call(() -> new NegotiatedOptions(conn.sendMss(), conn.windowScaling(), conn.sendWindowShift(),
                conn.receiveWindowShift(), conn.timestampsInUse(), conn.sackPermitted()));
    }

    /** True once {@link #close()} or {@link #abort()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** The local address and port. */
    public InetSocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(conn.localAddress().toInetAddress(), conn.localPort());
    }

    /** The remote address and port. */
    public InetSocketAddress getRemoteSocketAddress() {
        return new InetSocketAddress(conn.remoteAddress().toInetAddress(), conn.remotePort());
    }

    /** The read timeout in milliseconds (0: none), like {@code Socket.setSoTimeout}; virtual time on a simulated stack. */
    public void setSoTimeout(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0: " + millis);
        }
        this.soTimeoutMillis = millis;
    }

    /** The read timeout in milliseconds. */
    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /**
     * Sets an option: {@link StandardSocketOptions#SO_LINGER} (0: close resets, like abort),
     * {@link StandardSocketOptions#SO_KEEPALIVE} (probes after the stack's idle time, see
     * {@code TcpConfig.Builder.keepAlive}), {@link TcpSocketOptions#TCP_USER_TIMEOUT} (RFC 5482, in
     * milliseconds), {@link StandardSocketOptions#SO_SNDBUF} and {@link StandardSocketOptions#SO_RCVBUF}
     * (at any time; the window scale was agreed in the SYNs with the stack's {@code TcpConfig} size,
     * and a window already advertised is honoured), {@link StandardSocketOptions#TCP_NODELAY}
     * (true turns Nagle's algorithm off: small writes go out at once instead of waiting for the
     * ACK of an earlier small segment), {@link TcpSocketOptions#TCP_CONGESTION} (the congestion
     * control algorithm, like Linux's option of that name).
     *
     * @throws UnsupportedOperationException for other options
     */
    public <T> TcpSocket setOption(SocketOption<T> name, T value) {
        Objects.requireNonNull(value, "value");
        if (name == StandardSocketOptions.SO_LINGER) {
            lingerSeconds = (Integer) value;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            boolean on = (Boolean) value;
            driver.run(() -> conn.noDelay(on));
        } else if (name == TcpSocketOptions.TCP_CONGESTION) {
            CongestionControl.Algorithm algorithm = (CongestionControl.Algorithm) value;
            driver.run(() -> conn.congestionControl(algorithm));
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            boolean on = (Boolean) value;
            driver.run(() -> conn.keepAlive(on));
        } else if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
            int bytes = (Integer) value;
            if (bytes < 1) {
                throw new IllegalArgumentException(name + " must be >= 1: " + bytes);
            }
            boolean send = name == StandardSocketOptions.SO_SNDBUF;
            driver.call(() -> {
                if (send) {
                    conn.sendBufferSize(bytes);
                } else {
                    conn.receiveBufferSize(bytes);
                }
                return null;
            });
        } else if (name == TcpSocketOptions.TCP_USER_TIMEOUT) {
            int millis = (Integer) value;
            if (millis < 0) {
                throw new IllegalArgumentException("TCP_USER_TIMEOUT must be >= 0: " + millis);
            }
            driver.run(() -> conn.userTimeout(millis * 1_000_000L));
        } else {
            throw new UnsupportedOperationException(name + " (buffer sizes and the like are set in the stack's TcpConfig)");
        }
        return this;
    }

    /** Reads an option set with {@link #setOption} (buffer sizes start as the stack's {@code TcpConfig} says). */
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) {
        Object v;
        if (name == StandardSocketOptions.SO_LINGER) {
            v = lingerSeconds;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            v = driver.call(conn::noDelay);
        } else if (name == TcpSocketOptions.TCP_CONGESTION) {
            v = driver.call(conn::congestionControl);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            v = driver.call(conn::keepAlive);
        } else if (name == TcpSocketOptions.TCP_USER_TIMEOUT) {
            v = (int) (driver.call(conn::userTimeout) / 1_000_000L);
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            v = driver.call(conn::receiveBufferSize);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = driver.call(conn::sendBufferSize);
        } else {
            throw new UnsupportedOperationException(name.name());
        }
        return (T) v;
    }

    @Override
    public String toString() {
        return "TcpSocket[" + conn + "]";
    }

    // ------------------------------------------------------------------ helpers

    private void checkOpen() {
        if (closed) {
            throw new TcpException(TcpError.SOCKET_CLOSED, null);
        }
    }

    private static void wake(List<CompletableFuture<Void>> waiters) {
        if (waiters.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> all = new ArrayList<>(waiters);
        waiters.clear();
        all.forEach(w -> w.complete(null));
    }
}
