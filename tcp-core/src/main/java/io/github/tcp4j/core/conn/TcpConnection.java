package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.fsm.ConnectionView;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.timer.Timer;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.SeqNum;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * One TCP connection: its transmission control block (TCB, RFC 9293 section 3.3.1) and the
 * calls an application makes on it.
 *
 * <p>The sequence variables carry the RFC's names: ISS, IRS, SND.UNA, SND.NXT, SND.WND,
 * SND.WL1, SND.WL2, RCV.NXT, RCV.WND. What the connection does on each event is not decided
 * here but in the state machine's table ({@link io.github.tcp4j.core.fsm.TransitionTable}); the
 * {@link ActionExecutor} runs the table's actions, and this class holds the mechanics each action
 * needs (building segments, processing an ACK, reassembling data).
 *
 * <h2>User calls</h2>
 * {@link #send}, {@link #receive}, {@link #shutdownOutput}, {@link #close} and {@link #abort}
 * are the socket calls of RFC 9293 section 3.10. None blocks: {@code send} takes what fits in
 * the send buffer and {@code receive} returns what has arrived (0 when nothing has yet, -1 at the
 * end of the stream); the socket facade of tcp-api blocks on top of them. Errors are
 * {@link TcpException}s with a {@link TcpError}. Like everything in the core, a connection is
 * used from its stack's one thread.
 *
 * <h2>Buffers</h2>
 * The connection owns its send and receive buffers; the stack releases the send buffer when the
 * protocol is done with the connection, the receive buffer when the application closes it (data
 * that arrived before a reset can still be read). Call {@link #close()} or {@link #abort()} on
 * every connection you are handed.
 */
public final class TcpConnection implements ConnectionView {

    /** The IPv4 header without options: 20 bytes. */
    private static final int IPV4_HEADER = 20;
    /** The IPv6 header: 40 bytes. */
    private static final int IPV6_HEADER = 40;
    /** The TCP header without options: 20 bytes. */
    private static final int TCP_HEADER = 20;
    /** Timestamps take 12 bytes of options in every segment (NOP, NOP, kind, length, 8 bytes). */
    private static final int TIMESTAMP_OPTION_SPACE = 12;
    /** RFC 9293 3.7.1: the MSS to assume when the peer sends none: 536 for IPv4, 1220 for IPv6. */
    private static final int DEFAULT_MSS_V4 = 536;
    private static final int DEFAULT_MSS_V6 = 1220;
    /** RFC 7323 2.3: a shift count above 14 is used as 14. */
    private static final int MAX_WINDOW_SHIFT = 14;

    final ConnectionHost host;
    final TcpConfig config;
    IpAddress localAddress;
    int localPort;
    IpAddress remoteAddress;
    int remotePort;

    TcpState state = TcpState.CLOSED;
    ConnectionHandler handler = ConnectionHandler.NONE;
    /** For a listener's own TCB: its listener; for a connection a listener made: where it goes when established. */
    TcpListener listener;
    boolean passive;

    // ---- send sequence space (RFC 9293 3.3.1)
    boolean issChosen;
    int iss;
    int sndUna;
    int sndNxt;
    long sndWnd;
    int sndWl1;
    int sndWl2;
    long maxSndWnd;
    /** Sequence number of the send buffer's first byte. */
    private int bufferSeq;
    /** The peer's window shift (RFC 7323), applied to SEG.WND of non-SYN segments. */
    private int sndWndShift;
    /** Effective send MSS (RFC 9293 3.7.1). */
    int sndMss;

    // ---- receive sequence space
    int irs;
    int rcvNxt;
    /** RCV.NXT + the window last advertised: the right edge never moves left (RFC 9293 3.8.6). */
    int rcvAdvEdge;
    private int rcvWndShift;
    boolean irsKnown;

    // ---- options
    boolean windowScaleOk;
    boolean timestampsOk;
    int tsRecent;
    int tsOffset;

    // ---- what happened
    boolean synAcked;
    boolean finQueued;
    boolean finSent;
    boolean finAcked;
    boolean finReceived;
    boolean applicationClosed;
    boolean outputShutdown;
    boolean everSynchronized;
    boolean released;
    /** The compact TIME-WAIT record stands for this connection (or this is the host's view of a record). */
    boolean timeWaitRecorded;
    /** A reusable view the host loads from a TIME-WAIT record or for a segment that matches nothing. */
    final boolean scratch;
    /** The error reported to the next call, then cleared (like SO_ERROR): refused, reset or timed out. */
    TcpError softError;
    /** The error that ended the connection, kept for good. */
    TcpError failure;

    private long lastDupAckNanos = Long.MIN_VALUE;

    // ---- work left for after the current event
    boolean ackNeeded;
    boolean shutdownPending;
    boolean finFollowUp;
    boolean timeWaitRefused;

    // ---- what to tell the application once the current event is done (see ActionExecutor)
    static final int CONNECTED = 1;
    static final int READABLE = 2;
    static final int WRITABLE = 4;
    static final int FAILED = 8;
    static final int RELEASED = 16;
    static final int ACCEPTABLE = 32;
    int notifications;
    /** The listener to tell that this connection waits in its accept queue. */
    TcpListener acceptedBy;

    // ---- the current user call
    ByteBuf callData;
    int callAccepted;
    TcpError callError;

    // ---- buffers
    SendBuffer sendBuffer;
    ReceiveBuffer receiveBuffer;

    // ---- retransmission (RFC 6298) and zero-window probing
    final RttEstimator rtt;
    int retries;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    private boolean recovering;
    private int recover;
    private int persistBackoff;
    final Timer retransmitTimer;
    final Timer finWait2Timer;
    final Timer persistTimer;
    final Timer userTimer;
    final Timer keepAliveTimer;
    /** RFC 5482: how long sent data may stay unacknowledged (0: off). */
    long userTimeoutNanos;
    boolean keepAliveOn;
    private int sendBufferSize;
    private int receiveBufferSize;
    private int keepAliveProbes;
    private long lastHeardNanos;

    TcpConnection(ConnectionHost host, IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort,
            boolean scratch) {
        this.host = host;
        this.config = host.config();
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.scratch = scratch;
        this.rtt = new RttEstimator(config.initialRtoNanos(), config.minRtoNanos(), config.maxRtoNanos(),
                host.wheel().tickNanos());
        this.retransmitTimer = new Timer("retransmission", (t, now) -> host.executor().retransmitTimeout(this));
        this.finWait2Timer = new Timer("FIN-WAIT-2", (t, now) -> host.executor().timerExpired(this, TcpEvent.FIN_WAIT_2_TIMEOUT));
        this.persistTimer = new Timer("persist", (t, now) -> host.executor().persistTimeout(this));
        this.userTimer = new Timer("user timeout", (t, now) -> host.executor().timerExpired(this, TcpEvent.USER_TIMEOUT));
        this.keepAliveTimer = new Timer("keep-alive", (t, now) -> host.executor().keepAliveTimeout(this));
        this.userTimeoutNanos = config.userTimeoutNanos();
        this.keepAliveOn = config.keepAlive();
        this.sendBufferSize = config.sendBufferSize();
        this.receiveBufferSize = config.receiveBufferSize();
    }

    // =================================================================== the application's calls

    /**
     * Queues bytes for sending: copies as many readable bytes of {@code data} as the send buffer
     * has room for (advancing its reader index). In SYN-SENT and SYN-RECEIVED they wait for the
     * handshake (RFC 9293 3.10.2).
     *
     * @return the number of bytes taken, 0 when the send buffer is full
     * @throws TcpException {@link TcpError#CLOSING} after shutdownOutput or close;
     *     {@link TcpError#RESET}, {@link TcpError#REFUSED} or {@link TcpError#TIMED_OUT} once, after
     *     the connection failed that way; {@link TcpError#BROKEN_PIPE} on every send after that;
     *     {@link TcpError#NOT_CONNECTED} for a connection that never opened; {@link TcpError#SOCKET_CLOSED}
     *     after {@link #close()}
     */
    public int send(ByteBuf data) {
        Objects.requireNonNull(data, "data");
        checkNotClosed();
        callData = data;
        callAccepted = 0;
        callError = null;
        try {
            host.executor().userCall(this, TcpEvent.SEND);
        } finally {
            callData = null;
        }
        if (callError != null) {
            throw failureOf(callError, true);
        }
        return callAccepted;
    }

    /**
     * Reads received bytes into {@code dst}, at most {@code dst.writableBytes()}.
     *
     * @return bytes read; 0 when none have arrived yet; -1 at the end of the stream (the peer's FIN
     *     was received and everything before it read)
     * @throws TcpException {@link TcpError#RESET} (or refused, timed out) once after the connection
     *     failed, when no data is left to read; {@link TcpError#NOT_CONNECTED} for a connection
     *     that never opened; {@link TcpError#SOCKET_CLOSED} after {@link #close()}
     */
    public int receive(ByteBuf dst) {
        Objects.requireNonNull(dst, "dst");
        checkNotClosed();
        int n = receiveBuffer == null ? 0 : receiveBuffer.read(dst);
        if (n > 0) {
            windowUpdateAfterRead();
        }
        callError = null;
        host.executor().userCall(this, TcpEvent.RECEIVE);
        if (n > 0) {
            return n;
        }
        if (finReceived) {
            return -1;
        }
        if (callError == TcpError.CLOSING) {
            return -1; // RFC 9293 3.10.3: nothing on hand and the connection is closing
        }
        if (callError != null) {
            if (softError != null || !everSynchronized) {
                throw failureOf(callError, false);
            }
            return -1; // a failed connection whose error was reported reads as ended, like a socket after ECONNRESET
        }
        return 0;
    }

    /**
     * Shuts down output (a half-close, shutdown(SHUT_WR)): a FIN follows the queued data, and
     * reading continues. Calling it again is harmless.
     *
     * @throws TcpException {@link TcpError#NOT_CONNECTED} if there is no connection; {@link TcpError#SOCKET_CLOSED} after close
     */
    public void shutdownOutput() {
        checkNotClosed();
        if (outputShutdown) {
            return;
        }
        outputShutdown = true;
        callError = null;
        host.executor().userCall(this, TcpEvent.SHUTDOWN_OUTPUT);
        if (callError != null && callError != TcpError.CLOSING) {
            throw failureOf(callError, false);
        }
    }

    /**
     * Closes the connection: a FIN follows the queued data, and the application reads no more.
     * If received data is still unread, the connection is reset instead (RFC 9293 SHLD-3, RFC
     * 2525 2.17), so the peer learns that data was lost. The receive buffer is released at once.
     * Closing a connection that has already failed or ended only frees its buffers. Idempotent.
     */
    public void close() {
        if (applicationClosed) {
            return;
        }
        applicationClosed = true;
        boolean unread = receiveBuffer != null && (receiveBuffer.available() > 0 || receiveBuffer.hasGap());
        host.executor().userCall(this, unread ? TcpEvent.CLOSE_DISCARDING : TcpEvent.CLOSE);
        dropReceiveBuffer();
    }

    /**
     * Aborts the connection: a RST where RFC 9293 3.10.5 says so (SYN-RECEIVED, ESTABLISHED,
     * FIN-WAIT-1/2, CLOSE-WAIT), silent deletion elsewhere; queued data is discarded. Like close
     * with SO_LINGER 0. Idempotent.
     */
    public void abort() {
        if (applicationClosed && (released || state == TcpState.CLOSED)) {
            return;
        }
        applicationClosed = true;
        host.executor().userCall(this, TcpEvent.ABORT);
        dropReceiveBuffer();
    }

    /**
     * Turns keep-alive on or off for this connection (SO_KEEPALIVE), with the stack's idle time,
     * interval and probe count (RFC 9293 3.8.4: off unless asked for).
     */
    public void keepAlive(boolean on) {
        keepAliveOn = on;
        if (!on) {
            host.wheel().cancel(keepAliveTimer);
        } else if (state.isSynchronized() && !released && !keepAliveTimer.isScheduled()) {
            lastHeardNanos = host.now();
            host.wheel().schedule(keepAliveTimer, lastHeardNanos + config.keepAliveIdleNanos());
        }
    }

    /**
     * Sets the send buffer's size (SO_SNDBUF) in bytes, at any time; bytes already queued stay.
     */
    public void sendBufferSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("send buffer size must be >= 1: " + bytes);
        }
        sendBufferSize = bytes;
        if (sendBuffer != null) {
            sendBuffer.capacity(bytes);
        }
    }

    /** The send buffer's size in bytes. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /**
     * Sets the receive buffer's size (SO_RCVBUF) in bytes. Best before connecting: the window scale
     * is agreed in the SYNs, and a window already advertised is honoured even if larger.
     */
    public void receiveBufferSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("receive buffer size must be >= 1: " + bytes);
        }
        receiveBufferSize = bytes;
        if (receiveBuffer != null) {
            receiveBuffer.capacity(bytes);
        }
    }

    /** The receive buffer's size in bytes. */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /** True when keep-alive is on. */
    public boolean keepAlive() {
        return keepAliveOn;
    }

    /** Sets RFC 5482's user timeout for this connection, in nanoseconds (0: off, the retransmission limit applies). */
    public void userTimeout(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("user timeout must be >= 0: " + nanos);
        }
        userTimeoutNanos = nanos;
        if (nanos == 0) {
            host.wheel().cancel(userTimer);
        }
    }

    /** The user timeout in nanoseconds (0: off). */
    public long userTimeout() {
        return userTimeoutNanos;
    }

    /** Sets what the application hears from this connection (null: nothing). */
    public void handler(ConnectionHandler handler) {
        this.handler = handler == null ? ConnectionHandler.NONE : handler;
    }

    // =================================================================== what the application sees

    /**
     * The connection's state. A connection whose compact TIME-WAIT record has expired (or was
     * removed) reads CLOSED.
     */
    @Override
    public TcpState state() {
        if (state == TcpState.TIME_WAIT && timeWaitRecorded && !scratch && !host.holdsTimeWait(this)) {
            state = TcpState.CLOSED; // the record expired or went: for good (a later incarnation's record is not ours)
            timeWaitRecorded = false;
        }
        return state;
    }

    /** The local address. */
    public IpAddress localAddress() {
        return localAddress;
    }

    /** The local port. */
    public int localPort() {
        return localPort;
    }

    /** The remote address (null for a listener's own control block). */
    public IpAddress remoteAddress() {
        return remoteAddress;
    }

    /** The remote port (0 for a listener's own control block). */
    public int remotePort() {
        return remotePort;
    }

    /** Bytes ready to read. */
    public int available() {
        return receiveBuffer == null ? 0 : receiveBuffer.available();
    }

    /** Bytes in the send buffer: sent but unacknowledged, plus unsent ("Send-Q" of netstat). */
    public int sendQueued() {
        return sendBuffer == null ? 0 : sendBuffer.size();
    }

    /** Room left in the send buffer. */
    public int sendFree() {
        return sendBuffer == null ? sendBufferSize : sendBuffer.free();
    }

    /** True when the peer's FIN has been received (reading ends after the buffered bytes). */
    public boolean finReceived() {
        return finReceived;
    }

    /** The error that ended the connection (refused, reset, timed out), or null. */
    public TcpError failure() {
        return failure;
    }

    /** The current retransmission timeout in nanoseconds (RFC 6298). */
    public long rto() {
        return rtt.rto();
    }

    /** The effective MSS for sending (RFC 9293 3.7.1). */
    public int sendMss() {
        return sndMss;
    }

    /** "10.0.0.1:40000 > 10.0.0.2:80", or "10.0.0.2:80 > *:*" for a listener. */
    @Override
    public String toString() {
        return tupleString() + " " + state.name();
    }

    /** The 4-tuple as traces show it: "10.0.0.1:40000 > 10.0.0.2:80", "*:80 > *:*" for a listener on every address. */
    public String tupleString() {
        String local = (localAddress == null ? "*" : localAddress.toString()) + ":" + localPort;
        String remote = remoteAddress == null ? "*:*" : remoteAddress + ":" + remotePort;
        return local + " > " + remote;
    }

    // =================================================================== ConnectionView

    @Override
    public int iss() {
        return iss;
    }

    @Override
    public int sndUna() {
        return sndUna;
    }

    @Override
    public int sndNxt() {
        return sndNxt;
    }

    @Override
    public long maxSndWnd() {
        return maxSndWnd;
    }

    @Override
    public int rcvNxt() {
        return rcvNxt;
    }

    /** RCV.WND: what the peer may send beyond RCV.NXT, by our last advertisement. */
    @Override
    public long rcvWnd() {
        return SeqNum.le(rcvAdvEdge, rcvNxt) ? 0L : SeqNum.distance(rcvNxt, rcvAdvEdge);
    }

    @Override
    public boolean openedPassively() {
        return passive;
    }

    @Override
    public boolean finSent() {
        return finSent;
    }

    @Override
    public boolean applicationClosed() {
        return applicationClosed;
    }

    @Override
    public boolean rfc1337Protection() {
        return config.rfc1337Protection();
    }

    @Override
    public boolean timestampsInUse() {
        return timestampsOk;
    }

    @Override
    public int tsRecent() {
        return tsRecent;
    }

    // =================================================================== mechanics used by the executor

    /** Picks ISS (RFC 6528, through the host) and sets up the send side, for an active open or a listener's SYN. */
    void chooseIss() {
        issChosen = true;
        iss = host.newIss(this);
        tsOffset = host.tsOffset(this);
        sndUna = iss;
        sndNxt = iss;
        bufferSeq = iss + 1;
        ensureBuffers();
    }

    /** Records the peer's SYN: IRS, RCV.NXT, the window and the options it offered (RFC 9293 3.10.7.2-3). */
    void acceptPeerSyn(TcpSegment syn) {
        irs = syn.seq();
        rcvNxt = irs + 1;
        irsKnown = true;
        boolean weOfferScale = config.windowScaling();
        windowScaleOk = weOfferScale && syn.windowScale() >= 0;
        sndWndShift = windowScaleOk ? Math.min(syn.windowScale(), MAX_WINDOW_SHIFT) : 0;
        rcvWndShift = windowScaleOk ? ourWindowShift() : 0;
        timestampsOk = config.timestamps() && syn.hasTimestamps();
        if (timestampsOk) {
            tsRecent = syn.tsVal();
        }
        sndWnd = syn.window(); // RFC 7323 2.2: the window of a SYN is never scaled
        maxSndWnd = sndWnd;
        sndWl1 = syn.seq();
        sndWl2 = syn.has(TcpFlags.ACK) ? syn.ack() : iss;
        int peerMss = syn.mss() >= 0 ? syn.mss() : (localAddress.isV4() ? DEFAULT_MSS_V4 : DEFAULT_MSS_V6);
        // RFC 9293 3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize - IPoptionsize
        int mmsS = config.mtu() - ipHeader();
        sndMss = Math.max(1, Math.min(peerMss + TCP_HEADER, mmsS) - TCP_HEADER - (timestampsOk ? TIMESTAMP_OPTION_SPACE : 0));
        ensureBuffers();
        long free = receiveBuffer == null ? 0 : receiveBuffer.free();
        long initial = Math.min(free, 0xFFFF); // the window in our SYN or SYN,ACK is unscaled
        rcvAdvEdge = rcvNxt + (int) initial;
    }

    /** Sends SYN (active open) or SYN,ACK (passive or simultaneous open), always at ISS (RFC 9293 3.10.7.3: the same ISS). */
    void sendSyn(boolean withAck) {
        int flags = TcpFlags.SYN | (withAck ? TcpFlags.ACK : 0);
        transmit(iss, flags, 0, 0, true);
        if (SeqNum.lt(sndNxt, iss + 1)) {
            sndNxt = iss + 1;
        }
        if (!rttTiming && retries == 0) {
            startTiming(iss + 1);
        }
    }

    /**
     * The fifth check of RFC 9293 3.10.7.4: advance SND.UNA, drop acknowledged bytes, take an
     * RTT sample, update the send window. In SYN-SENT the SYN,ACK's SYN is recorded first.
     */
    void processAck(TcpSegment seg) {
        if (seg.has(TcpFlags.SYN) && !irsKnown) {
            acceptPeerSyn(seg); // SYN-SENT: the SYN,ACK (RFC 9293 3.10.7.3 fourth)
        }
        if (!seg.has(TcpFlags.ACK)) {
            return;
        }
        updateTsRecent(seg);
        int ack = seg.ack();
        if (SeqNum.gt(ack, sndUna) && SeqNum.le(ack, sndNxt)) {
            newlyAcknowledged(ack);
        }
        // RFC 9293 3.10.7.4: update the window if SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK
        if (SeqNum.le(sndUna, ack) && SeqNum.le(ack, sndNxt)
                && (SeqNum.lt(sndWl1, seg.seq()) || sndWl1 == seg.seq() && SeqNum.le(sndWl2, ack))) {
            sndWnd = seg.has(TcpFlags.SYN) ? seg.window() : (long) seg.window() << sndWndShift;
            sndWl1 = seg.seq();
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            if (sndWnd > 0) {
                host.wheel().cancel(persistTimer);
                persistBackoff = 0;
            }
        }
    }

    private void newlyAcknowledged(int ack) {
        if (!synAcked && SeqNum.gt(ack, iss)) {
            synAcked = true;
        }
        int dataEnd = bufferSeq + (sendBuffer == null ? 0 : sendBuffer.size());
        int dataAcked = (int) Math.max(0, Math.min(SeqNum.distance(bufferSeq, SeqNum.min(ack, dataEnd)),
                sendBuffer == null ? 0 : sendBuffer.size()));
        if (SeqNum.lt(ack, bufferSeq)) {
            dataAcked = 0;
        }
        if (dataAcked > 0) {
            sendBuffer.remove(dataAcked);
            bufferSeq += dataAcked;
        }
        if (finSent && ack == sndNxt) {
            finAcked = true;
        }
        sndUna = ack;
        retries = 0;
        if (rttTiming && SeqNum.ge(ack, rttSeq)) {
            rtt.sample(host.now() - rttStart);
            rttTiming = false;
        }
        if (recovering) {
            if (SeqNum.lt(sndUna, recover)) {
                retransmitFirst(); // a partial ACK after a timeout: the next hole goes out at once
            } else {
                recovering = false;
            }
        }
        if (sndUna == sndNxt) {
            host.wheel().cancel(retransmitTimer);
            host.wheel().cancel(userTimer);
        } else {
            host.wheel().schedule(retransmitTimer, host.now() + rtt.rto()); // RFC 6298 5.3
            if (userTimeoutNanos > 0) {
                host.wheel().schedule(userTimer, host.now() + userTimeoutNanos); // RFC 5482: new data acknowledged
            }
        }
        if (dataAcked > 0) {
            notifyApp(WRITABLE);
        }
    }

    /**
     * The segment's text: trimmed to the window, appended in order or kept for reassembly, and
     * acknowledged; a FIN in sequence advances RCV.NXT when {@code finEvent} (the table said FIN).
     * A FIN behind a gap is remembered; when the gap fills, the connection reports it as an event.
     */
    void deliverData(TcpSegment seg, boolean finEvent) {
        int len = seg.payloadLength();
        int seq = seg.seq();
        if (len > 0 && receiveBuffer != null && !applicationClosed) {
            int skip = SeqNum.lt(seq, rcvNxt) ? (int) SeqNum.distance(seq, rcvNxt) : 0;
            int relative = skip > 0 ? 0 : (int) SeqNum.distance(rcvNxt, seq);
            long room = rcvWnd() - relative;
            int keep = (int) Math.max(0, Math.min(len - skip, room));
            if (skip < len && keep > 0) {
                ByteBuf payload = seg.payload();
                int inOrder = receiveBuffer.receive(relative, payload.retainedSlice(payload.readerIndex() + skip, keep));
                rcvNxt += inOrder;
                if (inOrder > 0) {
                    notifyApp(READABLE);
                }
            }
            ackNeeded = true; // every data segment is acknowledged at once (delayed ACKs come with the data-transfer engine)
        }
        if (seg.has(TcpFlags.FIN) && !finReceived) {
            int finSeq = seq + len;
            if (finEvent && finSeq == rcvNxt) {
                rcvNxt += 1; // the FIN occupies one sequence number
                finReceived = true;
                ackNeeded = true;
            } else if (SeqNum.gt(finSeq, rcvNxt) && receiveBuffer != null
                    && SeqNum.distance(rcvNxt, finSeq) <= rcvWnd()) {
                receiveBuffer.finAt((int) SeqNum.distance(rcvNxt, finSeq));
                ackNeeded = true;
            }
        }
        if (!finReceived && !finEvent && receiveBuffer != null && receiveBuffer.finInOrder()) {
            finFollowUp = true;
        }
    }

    /**
     * True if an ACK for an unacceptable segment may go out now: at most one per
     * {@link TcpConfig#dupAckIntervalNanos()} per connection (Linux's tcp_invalid_ratelimit). The
     * host's views (TIME-WAIT records, "no connection") keep no state and always answer.
     */
    boolean allowDupAck() {
        if (scratch) {
            return true;
        }
        long now = host.now();
        if (lastDupAckNanos != Long.MIN_VALUE && now - lastDupAckNanos < config.dupAckIntervalNanos()) {
            host.countDupAckSuppressed();
            return false;
        }
        lastDupAckNanos = now;
        return true;
    }

    /** Remembers to tell the application (the executor does, when the event is complete). */
    void notifyApp(int what) {
        notifications |= what;
    }

    /** The application reads no more; unread and future data are dropped. */
    void dropReceiveBuffer() {
        if (receiveBuffer != null) {
            receiveBuffer.release();
        }
    }

    /** Takes the current call's data into the send buffer. */
    void queueCallData() {
        if (callData != null) {
            ensureBuffers();
            callAccepted = sendBuffer.write(callData);
        }
    }

    /**
     * Sends what the state and windows allow: new data from SND.NXT within SND.UNA + SND.WND, the
     * FIN once all data is out, or else a pure ACK when one is owed; then makes sure the
     * retransmission timer runs while anything is unacknowledged (RFC 6298 5.1).
     */
    void output() {
        boolean sent = false;
        if (canSendData()) {
            int buffered = sendBuffer == null ? 0 : sendBuffer.size();
            while (true) {
                int offset = (int) SeqNum.distance(bufferSeq, sndNxt);
                int unsent = buffered - offset;
                long usable = sndWnd - SeqNum.distance(sndUna, sndNxt);
                if (unsent <= 0 || usable <= 0) {
                    if (unsent > 0 && sndUna == sndNxt && !persistTimer.isScheduled()) {
                        armPersist();
                    }
                    break;
                }
                int len = (int) Math.min(Math.min(unsent, sndMss), usable);
                boolean last = len == unsent;
                boolean fin = last && finQueued && !finSent;
                transmit(sndNxt, TcpFlags.ACK | (last ? TcpFlags.PSH : 0) | (fin ? TcpFlags.FIN : 0), offset, len, false);
                if (!rttTiming) {
                    startTiming(sndNxt + len);
                }
                sndNxt += len + (fin ? 1 : 0);
                finSent |= fin;
                sent = true;
            }
        }
        if (finQueued && !finSent && irsKnown && !scratch && !released && sndNxt == bufferSeq + bufferedBytes()
                && (canSendData() || !synAcked && state == TcpState.FIN_WAIT_1)) {
            // RFC 9293 3.10.4: in SYN-RECEIVED with nothing queued, close sends the FIN at once
            transmit(sndNxt, TcpFlags.FIN | TcpFlags.ACK, 0, 0, false);
            sndNxt += 1;
            finSent = true;
            sent = true;
        }
        if (!sent && ackNeeded && irsKnown) {
            transmit(sndNxt, TcpFlags.ACK, 0, 0, false);
        }
        ackNeeded = false;
        if (sndUna != sndNxt && !scratch && !released) {
            if (!retransmitTimer.isScheduled()) {
                host.wheel().schedule(retransmitTimer, host.now() + rtt.rto());
            }
            if (userTimeoutNanos > 0 && !userTimer.isScheduled()) {
                host.wheel().schedule(userTimer, host.now() + userTimeoutNanos); // RFC 5482
            }
        }
    }

    /** A segment came from the peer: it is alive (keep-alive starts counting again). */
    void heardFromPeer() {
        lastHeardNanos = host.now();
        keepAliveProbes = 0;
        if (keepAliveOn && !keepAliveTimer.isScheduled() && state.isSynchronized()) {
            host.wheel().schedule(keepAliveTimer, lastHeardNanos + config.keepAliveIdleNanos());
        }
    }

    /**
     * The keep-alive timer fired: if the peer was heard from since, wait again; with data in
     * flight, retransmission watches the peer; otherwise send a probe (an ACK with SEG.SEQ =
     * SND.UNA - 1, which the peer must answer, RFC 9293 3.8.4).
     *
     * @return true when {@link TcpConfig#keepAliveCount()} probes went unanswered: give up
     */
    boolean keepAliveDue() {
        if (!keepAliveOn || released || !state.isSynchronized()) {
            return false;
        }
        long now = host.now();
        if (keepAliveProbes == 0 && now - lastHeardNanos < config.keepAliveIdleNanos()) {
            host.wheel().schedule(keepAliveTimer, lastHeardNanos + config.keepAliveIdleNanos());
            return false;
        }
        if (sndUna != sndNxt) {
            host.wheel().schedule(keepAliveTimer, now + config.keepAliveIdleNanos());
            return false;
        }
        if (keepAliveProbes >= config.keepAliveCount()) {
            return true;
        }
        transmit(sndUna - 1, TcpFlags.ACK, 0, 0, false);
        keepAliveProbes++;
        host.wheel().schedule(keepAliveTimer, now + config.keepAliveIntervalNanos());
        return false;
    }

    private int bufferedBytes() {
        return sendBuffer == null ? 0 : sendBuffer.size();
    }

    /** Data flows once our SYN is acknowledged, in the states that send (the FIN's states send what was queued before it). */
    private boolean canSendData() {
        if (!synAcked || scratch || released) {
            return false;
        }
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK, CLOSING -> true;
            default -> false;
        };
    }

    /** Sends the oldest unacknowledged segment again: SYN (or SYN,ACK), data at SND.UNA, or the FIN. */
    void retransmitFirst() {
        rttTiming = false; // Karn: no sample from a retransmitted segment
        if (!synAcked) {
            transmit(iss, TcpFlags.SYN | (irsKnown ? TcpFlags.ACK : 0), 0, 0, true);
            host.countRetransmission();
            return;
        }
        int buffered = sendBuffer == null ? 0 : sendBuffer.size();
        int offset = (int) SeqNum.distance(bufferSeq, sndUna);
        int unacked = Math.max(0, Math.min(buffered, (int) SeqNum.distance(bufferSeq, sndNxt)) - offset);
        int len = Math.min(unacked, sndMss);
        boolean fin = finSent && !finAcked && len == unacked;
        if (len == 0 && !fin) {
            return;
        }
        transmit(sndUna, TcpFlags.ACK | (len > 0 ? TcpFlags.PSH : 0) | (fin ? TcpFlags.FIN : 0), offset, len, false);
        host.countRetransmission();
    }

    /** The retransmission timer expired and the limit is not reached: back off and resend (RFC 6298 5.4-5.6). */
    void retransmitAfterTimeout() {
        retries++;
        rtt.backoff();
        recovering = true;
        recover = sndNxt;
        retransmitFirst();
        host.wheel().schedule(retransmitTimer, host.now() + rtt.rto());
    }

    /** The persist timer fired: probe the zero window with an old sequence number, which the peer must ACK (RFC 9293 3.8.6.1). */
    void probeZeroWindow() {
        if (sndWnd > 0 || released) {
            return;
        }
        transmit(sndUna - 1, TcpFlags.ACK, 0, 0, false);
        persistBackoff = Math.min(persistBackoff + 1, 16);
        armPersist();
    }

    private void armPersist() {
        long delay = Math.min(config.maxRtoNanos(), rtt.rto() << Math.min(persistBackoff, 20));
        host.wheel().schedule(persistTimer, host.now() + delay);
    }

    /** Cancels every timer of the connection. */
    void cancelTimers() {
        host.wheel().cancel(retransmitTimer);
        host.wheel().cancel(finWait2Timer);
        host.wheel().cancel(persistTimer);
        host.wheel().cancel(userTimer);
        host.wheel().cancel(keepAliveTimer);
    }

    /** Releases what the stack holds for this connection (the receive buffer stays until the application closes). */
    void releaseSendSide() {
        cancelTimers();
        if (sendBuffer != null) {
            sendBuffer.release();
        }
        if (applicationClosed) {
            dropReceiveBuffer();
        }
    }

    /** RFC 6298 5.1: the retransmission timer runs while data (or SYN, FIN) is outstanding. */
    void armRetransmit() {
        if (sndUna != sndNxt && !retransmitTimer.isScheduled()) {
            host.wheel().schedule(retransmitTimer, host.now() + rtt.rto());
        }
    }

    /** Arms the FIN-WAIT-2 timer when the connection is orphaned in FIN-WAIT-2 (Linux's tcp_fin_timeout). */
    void armFinWait2IfOrphaned() {
        if (state == TcpState.FIN_WAIT_2 && applicationClosed && !finWait2Timer.isScheduled()) {
            host.wheel().schedule(finWait2Timer, host.now() + config.finWait2TimeoutNanos());
        }
    }

    /** After a read, advertise the opened window if it grew enough (receiver SWS avoidance, RFC 9293 3.8.6.2.2). */
    private void windowUpdateAfterRead() {
        if (!irsKnown || finReceived || released || receiveBuffer == null) {
            return;
        }
        long offered = rcvWnd();
        long could = Math.min(receiveBuffer.free(), 0xFFFFL << rcvWndShift);
        if (could - offered >= Math.min(receiveBuffer.capacity() / 2, Math.max(sndMss, 1))) {
            ackNeeded = true;
        }
    }

    /** The window field for a segment we send now; moves the advertised right edge, never left. */
    private int windowField(boolean syn) {
        if (receiveBuffer == null) {
            // A TIME-WAIT view or a connection without buffers: repeat the last advertisement.
            return (int) Math.min(rcvWnd() >> rcvWndShift, 0xFFFF);
        }
        long wnd = Math.max(receiveBuffer.free(), rcvWnd());
        if (syn) {
            return (int) Math.min(wnd, 0xFFFF);
        }
        int field = (int) Math.min(wnd >> rcvWndShift, 0xFFFF);
        int edge = rcvNxt + (field << rcvWndShift);
        if (SeqNum.gt(edge, rcvAdvEdge)) {
            rcvAdvEdge = edge;
        }
        return field;
    }

    /** Builds and sends one segment; {@code length} bytes from send-buffer offset {@code offset}. */
    private void transmit(int seq, int flags, int offset, int length, boolean syn) {
        TcpSegment s = host.outgoing();
        s.sourcePort(localPort).destinationPort(remotePort).seq(seq).flags(flags);
        if ((flags & TcpFlags.ACK) != 0) {
            s.ack(rcvNxt);
        }
        s.window(windowField(syn));
        if (syn) {
            s.mss(config.mtu() - ipHeader() - TCP_HEADER);
            boolean offerScale = config.windowScaling() && (!irsKnown || windowScaleOk);
            if (offerScale) {
                s.windowScale(ourWindowShift());
            }
            if (config.timestamps() && (!irsKnown || timestampsOk)) {
                s.timestamps(tsValue(), timestampsOk ? tsRecent : 0);
            }
        } else if (timestampsOk) {
            s.timestamps(tsValue(), tsRecent);
        }
        if (length > 0) {
            s.payload(sendBuffer.slice(offset, length));
        }
        host.transmit(this, s);
    }

    /** Sends the RST that answers {@code seg} (RFC 9293 3.10.7.1): never for a RST. */
    void sendRstReply(TcpSegment seg) {
        if (seg == null || seg.has(TcpFlags.RST)) {
            return;
        }
        TcpSegment s = host.outgoing();
        s.sourcePort(seg.destinationPort()).destinationPort(seg.sourcePort());
        if (seg.has(TcpFlags.ACK)) {
            s.seq(seg.ack()).flags(TcpFlags.RST); // <SEQ=SEG.ACK><CTL=RST>
        } else {
            s.seq(0).ack(seg.seq() + seg.segmentLength()).flags(TcpFlags.RST | TcpFlags.ACK); // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
        }
        host.transmitReply(s);
        host.countRstSent();
    }

    /** Sends {@code <SEQ=SND.NXT><CTL=RST>} (RFC 9293 3.10.5): we reset the connection. */
    void sendRst() {
        if (remoteAddress == null) {
            return;
        }
        TcpSegment s = host.outgoing();
        s.sourcePort(localPort).destinationPort(remotePort).seq(sndNxt).flags(TcpFlags.RST);
        host.transmit(this, s);
        host.countRstSent();
    }

    /** A challenge ACK (RFC 5961 3.2, 4.2, 5.2): {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>}. */
    void sendChallengeAck() {
        transmit(sndNxt, TcpFlags.ACK, 0, 0, false);
    }

    /** RFC 7323 4.3: TS.Recent takes SEG.TSval when the segment covers Last.ACK.sent (we send RCV.NXT as ACK). */
    private void updateTsRecent(TcpSegment seg) {
        if (timestampsOk && seg.hasTimestamps() && SeqNum.ge(seg.tsVal(), tsRecent) && SeqNum.le(seg.seq(), rcvNxt)) {
            tsRecent = seg.tsVal();
        }
    }

    private int tsValue() {
        return (int) (host.now() / 1_000_000L) + tsOffset; // a 1 ms timestamp clock (RFC 7323 5.4)
    }

    private void startTiming(int endSeq) {
        rttTiming = true;
        rttSeq = endSeq;
        rttStart = host.now();
    }

    private void ensureBuffers() {
        if (sendBuffer == null) {
            sendBuffer = new SendBuffer(sendBufferSize, host.allocator());
        }
        if (receiveBuffer == null && !applicationClosed) {
            receiveBuffer = new ReceiveBuffer(receiveBufferSize);
        }
    }

    /** The smallest shift that lets the window field express the whole receive buffer (RFC 7323 2.2). */
    private int ourWindowShift() {
        int shift = 0;
        while (shift < MAX_WINDOW_SHIFT && (receiveBufferSize >> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    private int ipHeader() {
        return localAddress.isV4() ? IPV4_HEADER : IPV6_HEADER;
    }

    private void checkNotClosed() {
        if (applicationClosed) {
            throw new TcpException(TcpError.SOCKET_CLOSED, tupleString());
        }
    }

    /**
     * What a call that the table answered with {@code error} reports: for "connection does not
     * exist" on a connection that did exist, the reason it ended (once), then for send "broken
     * pipe" (EPIPE).
     */
    private TcpException failureOf(TcpError error, boolean isSend) {
        if (error == TcpError.NOT_CONNECTED && everSynchronizedOrFailed()) {
            if (softError != null) {
                TcpError e = softError;
                softError = null;
                return new TcpException(e, tupleString());
            }
            if (isSend) {
                return new TcpException(TcpError.BROKEN_PIPE, tupleString());
            }
        }
        return new TcpException(error, tupleString());
    }

    private boolean everSynchronizedOrFailed() {
        return everSynchronized || failure != null;
    }

    // ---- loading the host's reusable views

    /** Loads a TIME-WAIT record into this reusable view (the host's). */
    void loadTimeWaitRecord(IpAddress remote, int remotePortValue, int sndNxtValue, int rcvNxtValue, int windowAndShift,
            int tsRecentValue, boolean timestamps) {
        remoteAddress = remote;
        remotePort = remotePortValue;
        state = TcpState.TIME_WAIT;
        iss = sndNxtValue - 1;
        sndUna = sndNxtValue;
        sndNxt = sndNxtValue;
        maxSndWnd = 1L << 30;
        rcvNxt = rcvNxtValue;
        rcvWndShift = windowAndShift >>> 16;
        rcvAdvEdge = rcvNxtValue + ((windowAndShift & 0xFFFF) << rcvWndShift);
        irsKnown = true;
        synAcked = true;
        finSent = true;
        finAcked = true;
        finReceived = true;
        applicationClosed = true;
        timestampsOk = timestamps;
        tsRecent = tsRecentValue;
        timeWaitRecorded = true;
        released = false;
        ackNeeded = false;
        finFollowUp = false;
        timeWaitRefused = false;
    }

    /** Loads a segment's addresses into this reusable view of "no connection" (CLOSED). */
    void loadClosed(IpAddress remote, int remotePortValue) {
        remoteAddress = remote;
        remotePort = remotePortValue;
        state = TcpState.CLOSED;
        irsKnown = false;
        released = true;
        ackNeeded = false;
        timeWaitRecorded = false;
    }

    /** What the TIME-WAIT record keeps of the window: the last window field and our shift, in one int. */
    int windowAndShift() {
        return (rcvWndShift << 16) | (int) Math.min(rcvWnd() >> rcvWndShift, 0xFFFF);
    }
}
