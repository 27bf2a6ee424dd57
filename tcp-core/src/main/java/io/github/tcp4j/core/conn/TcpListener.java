package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A listening endpoint: a control block in LISTEN (RFC 9293 3.10.1, a passive OPEN) with the two
 * queues of the BSD socket API.
 *
 * <ul>
 *   <li>The <b>SYN queue</b> holds half-open connections (SYN-RECEIVED), at most the stack's
 *       {@link TcpConfig#synBacklog()}. A SYN that finds it full is dropped and counted, so the
 *       client retransmits it later.</li>
 *   <li>The <b>accept queue</b> holds connections whose handshake completed and which
 *       {@link #accept()} has not taken yet, at most {@code backlog}. When it is full, the ACK that
 *       would complete a handshake is dropped and counted (the connection stays SYN-RECEIVED and
 *       retransmits its SYN,ACK), as Linux does by default.</li>
 * </ul>
 *
 * <p>Each SYN makes a new control block that starts as a copy of the listener in LISTEN and
 * moves to SYN-RECEIVED; the listener itself stays in LISTEN. Closing the listener resets the
 * connections still in either queue.
 */
public final class TcpListener {

    private final TcpConnection tcb;
    private final int backlog;
    private final LinkedHashSet<TcpConnection> synQueue = new LinkedHashSet<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private ListenerHandler handler = ListenerHandler.NONE;
    /** The control block left to become an active open: this listener is gone. */
    private boolean activated;
    private long synQueueOverflows;
    private long acceptQueueOverflows;

    TcpListener(TcpConnection tcb, int backlog) {
        this.tcb = tcb;
        this.backlog = backlog;
        tcb.listener = this;
    }

    /**
     * Makes a listener: a new control block taken from CLOSED to LISTEN through the table. For
     * the host's use; applications call the host's {@code listen}.
     */
    public static TcpListener open(ConnectionHost host, IpAddress localAddress, int localPort, int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
        }
        TcpListener l = new TcpListener(new TcpConnection(host, localAddress, localPort, null, 0, false), backlog);
        host.executor().userCall(l.tcb, TcpEvent.LISTEN);
        return l;
    }

    /** The next established connection, or null when none waits. */
    public TcpConnection accept() {
        if (tcb.applicationClosed || activated) {
            throw new TcpException(TcpError.SOCKET_CLOSED, tcb.tupleString());
        }
        return acceptQueue.pollFirst();
    }

    /** Stops listening: the listener goes to CLOSED, and connections in its queues are reset. Idempotent. */
    public void close() {
        if (tcb.applicationClosed || activated) {
            return;
        }
        tcb.applicationClosed = true;
        tcb.host.executor().userCall(tcb, TcpEvent.CLOSE);
    }

    /**
     * Aborts the listener (RFC 9293 3.10.5 in LISTEN): like {@link #close()}, it goes to CLOSED and
     * resets the queued connections; calls still waiting on it fail with "connection reset".
     */
    public void abort() {
        if (tcb.applicationClosed || activated) {
            return;
        }
        tcb.applicationClosed = true;
        tcb.host.executor().userCall(tcb, TcpEvent.ABORT);
    }

    /**
     * Turns the listener into an active open towards {@code remote}:{@code remotePort} (RFC 9293
     * 3.10.1: LISTEN + connect), sending a SYN. The listener stops listening; the returned
     * connection (its control block, now in SYN-SENT) carries on.
     */
    public TcpConnection connect(IpAddress remote, int remotePort, ConnectionHandler handler) {
        return activate(remote, remotePort, handler, TcpEvent.CONNECT, null);
    }

    /**
     * Sends to {@code remote}:{@code remotePort} from the listener (RFC 9293 3.10.2: SEND in LISTEN
     * with a foreign socket turns the listener active); the data waits in the send buffer until
     * the handshake completes.
     */
    public TcpConnection send(IpAddress remote, int remotePort, ByteBuf data, ConnectionHandler handler) {
        return activate(remote, remotePort, handler, TcpEvent.SEND, Objects.requireNonNull(data, "data"));
    }

    private TcpConnection activate(IpAddress remote, int remotePort, ConnectionHandler handler, TcpEvent event, ByteBuf data) {
        Objects.requireNonNull(remote, "remote");
        if (tcb.applicationClosed || activated || tcb.state != TcpState.LISTEN) {
            throw new TcpException(TcpError.SOCKET_CLOSED, tcb.tupleString());
        }
        if (tcb.localAddress == null) {
            throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, "a listener on every address needs a local address to connect from");
        }
        tcb.remoteAddress = remote;
        tcb.remotePort = remotePort;
        try {
            tcb.host.register(tcb); // under its new 4-tuple; refuses one that is taken
        } catch (TcpException e) {
            tcb.remoteAddress = null;
            tcb.remotePort = 0;
            throw e;
        }
        tcb.remoteAddress = null;
        tcb.host.unregister(tcb); // it leaves the listeners
        tcb.remoteAddress = remote;
        resetQueued();
        tcb.listener = null;
        activated = true;
        tcb.handler(handler);
        tcb.callData = data;
        try {
            tcb.host.executor().userCall(tcb, event);
        } finally {
            tcb.callData = null;
        }
        return tcb;
    }

    /** Sets what the application hears from this listener (null: nothing). */
    public void handler(ListenerHandler handler) {
        this.handler = handler == null ? ListenerHandler.NONE : handler;
    }

    /** LISTEN while listening; CLOSED after close, or once its control block turned into an active open. */
    public TcpState state() {
        return activated ? TcpState.CLOSED : tcb.state;
    }

    /** The local address, or null for every address of the host. */
    public IpAddress localAddress() {
        return tcb.localAddress;
    }

    /** The local port. */
    public int localPort() {
        return tcb.localPort;
    }

    /** The accept queue's bound. */
    public int backlog() {
        return backlog;
    }

    /** Connections waiting to be accepted. */
    public int acceptQueueLength() {
        return acceptQueue.size();
    }

    /** Half-open connections (SYN-RECEIVED). */
    public int synQueueLength() {
        return synQueue.size();
    }

    /** SYNs dropped because the SYN queue was full. */
    public long synQueueOverflows() {
        return synQueueOverflows;
    }

    /** Handshake-completing ACKs dropped because the accept queue was full. */
    public long acceptQueueOverflows() {
        return acceptQueueOverflows;
    }

    /** The listener's own control block (state LISTEN). */
    public TcpConnection controlBlock() {
        return tcb;
    }

    @Override
    public String toString() {
        return "listener " + tcb.tupleString() + " " + tcb.state + " (syn " + synQueue.size() + ", accept " + acceptQueue.size()
                + "/" + backlog + ")";
    }

    // ------------------------------------------------------------------ for the host and the executor

    /** True if a new half-open connection fits in the SYN queue; counts the overflow otherwise. */
    public boolean admitSyn() {
        if (synQueue.size() >= tcb.config.synBacklog()) {
            synQueueOverflows++;
            return false;
        }
        return true;
    }

    /** True if a completed handshake fits in the accept queue; counts the overflow otherwise. */
    public boolean admitEstablished() {
        if (acceptQueue.size() >= backlog) {
            acceptQueueOverflows++;
            return false;
        }
        return true;
    }

    /** A new control block for a SYN from {@code remote}: a copy of the listener, still in LISTEN. */
    public TcpConnection fork(IpAddress local, IpAddress remote, int remotePort) {
        TcpConnection child = new TcpConnection(tcb.host, local, tcb.localPort, remote, remotePort, false);
        child.state = TcpState.LISTEN;
        child.passive = true;
        child.listener = this;
        synQueue.add(child);
        return child;
    }

    void enqueue(TcpConnection child) {
        synQueue.remove(child);
        acceptQueue.addLast(child);
        child.acceptedBy = this;
        child.notifyApp(TcpConnection.ACCEPTABLE);
    }

    void notifyAcceptable() {
        handler.onAcceptable(this);
    }

    void forget(TcpConnection child) {
        synQueue.remove(child);
        acceptQueue.remove(child);
    }

    /** Resets every connection still queued (the listener is going away). */
    void resetQueued() {
        List<TcpConnection> all = new ArrayList<>(synQueue);
        all.addAll(acceptQueue);
        synQueue.clear();
        acceptQueue.clear();
        for (TcpConnection c : all) {
            c.listener = null;
            c.abort();
        }
    }
}
