package io.github.tcp4j.api;

import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A listening socket, used like {@code java.net.ServerSocket}: {@link #accept()} blocks (with an
 * optional timeout), {@link #acceptAsync()} returns a future. Thread-safe.
 *
 * <h2>Backlog</h2>
 * Two bounded queues stand behind it (see {@link TcpListener}): the SYN queue of half-open
 * connections (the stack's {@code TcpConfig.synBacklog}; a SYN that finds it full is dropped, and
 * the client retries), and the accept queue of established connections not yet accepted (the
 * {@code backlog} given to {@code listen}; when it is full the ACK that would complete a handshake
 * is dropped, the server retransmits its SYN,ACK, and the client's connect completes once the
 * application accepts). Closing the server socket resets the connections in either queue.
 */
public final class TcpServerSocket implements AutoCloseable {

    private final TcpStack stack;
    private final Driver driver;
    private final TcpListener listener;
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private volatile int soTimeoutMillis;
    private volatile boolean closed;

    TcpServerSocket(TcpStack stack, TcpListener listener) {
        this.stack = stack;
        this.driver = stack.driver();
        this.listener = listener;
        listener.handler(l -> wake());
    }

    /** Waits for the next connection (at most the accept timeout, if set). */
    public TcpSocket accept() throws IOException {
        while (true) {
            Object r = SocketErrors.translate(() -> driver.call(this::tryAccept));
            if (r instanceof TcpSocket s) {
                return s;
            }
            try {
                if (!driver.await((CompletableFuture<?>) r, soTimeoutMillis * 1_000_000L)) {
                    throw new SocketTimeoutException("Accept timed out");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("accept interrupted");
            }
        }
    }

    /** Accepts without blocking: the future completes with the next connection. */
    public CompletableFuture<TcpSocket> acceptAsync() {
        CompletableFuture<TcpSocket> result = new CompletableFuture<>();
        driver.execute(() -> acceptAsyncAttempt(result));
        return result;
    }

    private void acceptAsyncAttempt(CompletableFuture<TcpSocket> result) {
        try {
            Object r = tryAccept();
            if (r instanceof TcpSocket s) {
                result.complete(s);
            } else {
                ((CompletableFuture<?>) r).thenRun(() -> acceptAsyncAttempt(result));
            }
        } catch (TcpException e) {
            result.completeExceptionally(SocketErrors.toIo(e));
        }
    }

    private Object tryAccept() {
        if (closed) {
            throw new TcpException(TcpError.SOCKET_CLOSED, null);
        }
        TcpConnection c = listener.accept();
        if (c != null) {
            return TcpSocket.accepted(stack, c);
        }
        CompletableFuture<Void> w = new CompletableFuture<>();
        waiters.add(w);
        return w;
    }

    /** The accept timeout in milliseconds (0: none); virtual time on a simulated stack. */
    public void setSoTimeout(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0: " + millis);
        }
        this.soTimeoutMillis = millis;
    }

    /** The local port. */
    public int getLocalPort() {
        return listener.localPort();
    }

    /** The local address (the wildcard address when listening on every address) and port. */
    public InetSocketAddress getLocalSocketAddress() {
        return listener.localAddress() == null ? new InetSocketAddress(listener.localPort())
                : new InetSocketAddress(listener.localAddress().toInetAddress(), listener.localPort());
    }

    /** Connections waiting to be accepted. */
    public int acceptQueueLength() {
        return driver.call(listener::acceptQueueLength);
    }

    /** True once closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Stops listening; connections not yet accepted are reset; waiting accepts fail. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        driver.run(() -> closeOnStack());
    }

    void closeOnStack() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        wake();
        stack.forget(this);
    }

    private void wake() {
        List<CompletableFuture<Void>> all = new ArrayList<>(waiters);
        waiters.clear();
        all.forEach(w -> w.complete(null));
    }

    @Override
    public String toString() {
        return "TcpServerSocket[" + listener + "]";
    }
}
