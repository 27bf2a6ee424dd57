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
    /** RFC 7323 5.5: 24 days. */
    private static final long PAWS_IDLE_LIMIT_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
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
    /** Both SYNs carried SACK-permitted (RFC 2018 section 2). */
    boolean sackOk;
    int tsRecent;
    /** When TS.Recent was last set, for RFC 7323 5.5's 24-day limit on PAWS. */
    private long tsRecentNanos;
    int tsOffset;
    /** Last.ACK.sent of RFC 7323 4.3: the ACK field of the last segment we sent. */
    private int lastAckSent;

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
    private int persistBackoff;
    /** Zero-window probes sent since the peer last answered (RFC 9293 MUST-37: it may keep the window shut while it answers). */
    int persistProbes;

    // ---- congestion control and loss recovery (RFC 5681, RFC 6582, RFC 6675)
    /** Not in loss recovery. */
    static final int OPEN = 0;
    /** Fast recovery after three duplicate ACKs or SACK-detected loss (RFC 6582, RFC 6675 section 5). */
    static final int FAST_RECOVERY = 1;
    /** Retransmitting after a timeout, in slow start, up to the recovery point (RFC 5681 3.1, RFC 6675 5.1). */
    static final int TIMEOUT_RECOVERY = 2;
    CongestionControl cc;
    int lossState = OPEN;
    int dupAcks;
    /** RFC 6582's "recover" and RFC 6675's RecoveryPoint: SND.NXT when recovery began. */
    private int recoveryPoint;
    private boolean recoveryPointSet;
    /** RFC 6675 HighRxt: the highest sequence number retransmitted in this recovery, plus one. */
    private int highRxt;
    /** RFC 6675 RescueRxt. */
    private int rescueRxt;
    private boolean rescueSet;
    /** After a timeout: the next sequence number to retransmit. */
    private int retransmitNext;
    private boolean partialAckSeen;
    /** Bytes sent by limited transmit (RFC 3042) since the last new ACK: not part of FlightSize for ssthresh. */
    private long limitedTransmitBytes;
    /** The end of the last segment shorter than the MSS we sent (Minshall's Nagle variant). */
    private int smallSegmentEnd;
    private boolean smallSegmentSent;
    private long lastDataSentNanos = Long.MIN_VALUE;
    /** The persist timer fired with a usable window too small to pass the SWS rule: send what fits (RFC 9293 3.8.6.2.1). */
    private boolean overrideSws;
    SackScoreboard scoreboard;
    private final int[] holeEnd = new int[1];
    /** Nagle's algorithm is off (TCP_NODELAY). */
    boolean noDelay;

    // ---- delayed acknowledgments (RFC 9293 3.8.6.3, RFC 5681 4.2)
    final Timer delayedAckTimer;
    /** In-order bytes received since our last ACK. */
    private int unackedReceived;
    /** The largest segment the peer sent so far: our estimate of its MSS. */
    private int largestReceived;
    private int[] sackEdges;

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
        this.delayedAckTimer = new Timer("delayed ACK", (t, now) -> host.executor().delayedAckTimeout(this));
        this.noDelay = config.noDelay();
        this.sndMss = DEFAULT_MSS_V4;
        this.cc = config.congestionControl().create(sndMss, config.initialWindowSegments());
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

    /**
     * Turns Nagle's algorithm off ({@code true}, TCP_NODELAY) or on: with it on, a segment
     * shorter than the MSS waits while an earlier short segment is unacknowledged (RFC 9293
     * 3.7.4, with Minshall's refinement), so small writes coalesce.
     */
    public void noDelay(boolean on) {
        noDelay = on;
        if (on && !released) {
            host.executor().flush(this);
        }
    }

    /** True when Nagle's algorithm is off (TCP_NODELAY). */
    public boolean noDelay() {
        return noDelay;
    }

    /**
     * Chooses the congestion control algorithm (like Linux's TCP_CONGESTION). Before the
     * connection opens it starts from the initial window; later the new algorithm takes over the
     * current congestion window.
     */
    public void congestionControl(CongestionControl.Algorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (cc.algorithm() == algorithm) {
            return;
        }
        long current = cc.cwnd();
        cc = algorithm.create(sndMss, config.initialWindowSegments());
        if (synAcked) {
            cc.cwnd(current);
        }
    }

    /** The congestion control algorithm in use. */
    public CongestionControl.Algorithm congestionControl() {
        return cc.algorithm();
    }

    /** The congestion window (cwnd) in bytes. */
    public long congestionWindow() {
        return cc.cwnd();
    }

    /** The slow-start threshold (ssthresh) in bytes; {@link Long#MAX_VALUE} before the first loss. */
    public long slowStartThreshold() {
        return cc.ssthresh();
    }

    /** The smoothed round-trip time (SRTT, RFC 6298) in nanoseconds; 0 before the first sample. */
    public long smoothedRtt() {
        return rtt.srtt();
    }

    /** SND.WND: the peer's last advertised window, scaled, in bytes. */
    public long sendWindow() {
        return sndWnd;
    }

    /** True when both SYNs carried SACK-permitted, so SACK is in use (RFC 2018). */
    public boolean sackPermitted() {
        return sackOk;
    }

    /** True when both SYNs carried the window scale option (RFC 7323 2). */
    public boolean windowScaling() {
        return windowScaleOk;
    }

    /** The shift the peer applies to our window field (our Window Scale option), 0 without scaling. */
    public int receiveWindowShift() {
        return rcvWndShift;
    }

    /** The shift we apply to the peer's window field (its Window Scale option), 0 without scaling. */
    public int sendWindowShift() {
        return sndWndShift;
    }

    /** True while the connection recovers from a loss (fast recovery or after a timeout). */
    public boolean inLossRecovery() {
        return lossState != OPEN;
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
            tsRecentNanos = host.now();
        }
        sackOk = config.sack() && syn.sackPermitted(); // RFC 2018 2: only when both SYNs carry it
        lastAckSent = rcvNxt;
        sndWnd = syn.window(); // RFC 7323 2.2: the window of a SYN is never scaled
        maxSndWnd = sndWnd;
        sndWl1 = syn.seq();
        sndWl2 = syn.has(TcpFlags.ACK) ? syn.ack() : iss;
        int peerMss = syn.mss() >= 0 ? syn.mss() : (localAddress.isV4() ? DEFAULT_MSS_V4 : DEFAULT_MSS_V6);
        // RFC 9293 3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize - IPoptionsize
        int mmsS = config.mtu() - ipHeader();
        sndMss = Math.max(1, Math.min(peerMss + TCP_HEADER, mmsS) - TCP_HEADER - (timestampsOk ? TIMESTAMP_OPTION_SPACE : 0));
        cc.mss(sndMss);
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
        persistProbes = 0; // the peer answers
        int ack = seg.ack();
        long window = seg.has(TcpFlags.SYN) ? seg.window() : (long) seg.window() << sndWndShift;
        boolean sackedNew = sackOk && synAcked && seg.sackBlockCount() > 0 && recordSackBlocks(seg);
        if (SeqNum.gt(ack, sndUna) && SeqNum.le(ack, sndNxt)) {
            newlyAcknowledged(ack, seg);
        } else if (ack == sndUna && isDuplicateAck(seg, window, sackedNew)) {
            duplicateAck();
        }
        // RFC 9293 3.10.7.4: update the window if SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK
        if (SeqNum.le(sndUna, ack) && SeqNum.le(ack, sndNxt)
                && (SeqNum.lt(sndWl1, seg.seq()) || sndWl1 == seg.seq() && SeqNum.le(sndWl2, ack))) {
            sndWnd = window; // RFC 7323 2.2: the window of a SYN is never scaled
            sndWl1 = seg.seq();
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            if (sndWnd > 0) {
                host.wheel().cancel(persistTimer);
                persistBackoff = 0;
            }
        }
    }

    /** RFC 2018 / RFC 6675 Update(): records the segment's SACK blocks; true if any SACKed new bytes. */
    private boolean recordSackBlocks(TcpSegment seg) {
        if (scoreboard == null) {
            scoreboard = new SackScoreboard(); // made on the first SACK: an idle connection does not pay for it
        }
        boolean news = false;
        for (int i = 0; i < seg.sackBlockCount(); i++) {
            news |= scoreboard.add(seg.sackLeft(i), seg.sackRight(i), sndUna, sndNxt); // a D-SACK (RFC 2883) adds nothing
        }
        return news;
    }

    /**
     * A duplicate ACK: with SACK, one that SACKs new data (RFC 6675 section 2); without, RFC 5681
     * section 2's definition: data outstanding, no data, no SYN or FIN, SND.UNA again, same window.
     */
    private boolean isDuplicateAck(TcpSegment seg, long window, boolean sackedNew) {
        if (sndUna == sndNxt || !synAcked) {
            return false;
        }
        if (sackOk) {
            return sackedNew;
        }
        return seg.payloadLength() == 0 && !seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.FIN) && window == sndWnd;
    }

    private void duplicateAck() {
        dupAcks++;
        if (lossState == FAST_RECOVERY) {
            if (!sackOk) {
                cc.cwnd(cc.cwnd() + sndMss); // RFC 6582 3.2 step 4 (RFC 5681 3.2 step 4): inflate by one segment
            }
            return;
        }
        if (lossState == TIMEOUT_RECOVERY) {
            return;
        }
        boolean lost = dupAcks >= dupThreshold() || scoreboard != null && scoreboard.holeLost(0, sndMss); // RFC 6675 5 (2)
        if (lost && (!recoveryPointSet || SeqNum.ge(sndUna, recoveryPoint))) {
            enterFastRecovery(); // RFC 6582 3.2 step 2: not while a previous recovery's data is still unacknowledged
        }
        // otherwise limited transmit (RFC 3042): output() lets one new segment out per duplicate ACK
    }

    /**
     * The duplicate ACKs that mean a loss: three (RFC 5681 3.2), or, with fewer than four segments
     * outstanding and no new segment that the windows would let out, one less than the segments
     * outstanding (early retransmit, RFC 5827 3.1): a small window (a small receive buffer, the end
     * of a transfer) cannot produce three duplicates and would otherwise wait for the timeout.
     */
    private int dupThreshold() {
        long outstanding = SeqNum.distance(sndUna, sndNxt);
        long oldSegments = (outstanding + sndMss - 1) / sndMss;
        if (oldSegments < 2 || oldSegments > SackScoreboard.DUP_THRESH) {
            return SackScoreboard.DUP_THRESH;
        }
        long unsent = bufferedBytes() - SeqNum.distance(bufferSeq, sndNxt);
        if (unsent > 0 && sndWnd - outstanding >= Math.min(unsent, sndMss)) {
            return SackScoreboard.DUP_THRESH; // RFC 5827 3.1 (2): new data can go (limited transmit) and bring duplicates
        }
        return (int) oldSegments - 1; // RFC 5827 3.1: ER_thresh = oldSeg - 1
    }

    /** Fast retransmit: the segment at SND.UNA goes again at once and recovery begins (RFC 5681 3.2, RFC 6582, RFC 6675 5). */
    private void enterFastRecovery() {
        // RFC 5681 3.2 step 2: data sent by limited transmit MUST NOT count in FlightSize here
        long flight = Math.max(0, SeqNum.distance(sndUna, sndNxt) - limitedTransmitBytes);
        limitedTransmitBytes = 0;
        cc.onCongestionEvent(flight, host.now());
        lossState = FAST_RECOVERY;
        recoveryPoint = sndNxt;
        recoveryPointSet = true;
        partialAckSeen = false;
        host.countFastRetransmit();
        int sent = retransmitAt(sndUna, sndMss);
        if (sackOk) {
            cc.cwnd(cc.ssthresh()); // RFC 6675 5 (4.2): cwnd = ssthresh
            highRxt = sndUna + sent; // RFC 6675 5 (4.3)
            rescueSet = false;
        } else {
            cc.cwnd(cc.ssthresh() + 3L * sndMss); // RFC 5681 3.2 step 3: inflate by the three segments that left
        }
    }

    private void newlyAcknowledged(int ack, TcpSegment seg) {
        boolean ackOfSyn = !synAcked && SeqNum.gt(ack, iss);
        if (ackOfSyn) {
            synAcked = true;
        }
        long ackedBytes = SeqNum.distance(sndUna, ack);
        long flightBefore = SeqNum.distance(sndUna, sndNxt);
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
        dupAcks = 0;
        limitedTransmitBytes = 0;
        if (scoreboard != null) {
            scoreboard.advance(ack);
        }
        takeRttSample(ack, seg, ackOfSyn);
        long now = host.now();
        switch (lossState) {
            case FAST_RECOVERY -> {
                if (SeqNum.ge(ack, recoveryPoint)) {
                    // RFC 6582 3.2 step 3 (first option): deflate, at most one segment beyond the flight
                    long flight = SeqNum.distance(sndUna, sndNxt);
                    cc.cwnd(Math.min(cc.ssthresh(), Math.max(flight, sndMss) + sndMss));
                    lossState = OPEN;
                } else if (sackOk) {
                    if (SeqNum.lt(highRxt, sndUna)) {
                        highRxt = sndUna; // RFC 6675: HighRxt never lies below HighACK
                    }
                } else {
                    // RFC 6582 3.2 step 4: a partial ACK: the next hole goes at once; deflate by what was acknowledged
                    retransmitAt(sndUna, sndMss);
                    cc.cwnd(cc.cwnd() - ackedBytes + (ackedBytes >= sndMss ? sndMss : 0));
                }
            }
            case TIMEOUT_RECOVERY -> {
                if (SeqNum.lt(retransmitNext, sndUna)) {
                    retransmitNext = sndUna;
                }
                if (SeqNum.ge(ack, recoveryPoint)) {
                    lossState = OPEN;
                }
                cc.onAck(ackedBytes, flightBefore, now, rtt.srtt()); // slow start again (RFC 5681 3.1)
            }
            default -> {
                if (2 * flightBefore >= cc.cwnd()) {
                    cc.onAck(ackedBytes, flightBefore, now, rtt.srtt()); // grow only when the window was in use (RFC 7661's spirit)
                }
            }
        }
        if (sndUna == sndNxt) {
            host.wheel().cancel(retransmitTimer);
            host.wheel().cancel(userTimer);
        } else {
            boolean restart = lossState != FAST_RECOVERY || sackOk || !partialAckSeen;
            if (restart) {
                host.wheel().schedule(retransmitTimer, now + rtt.rto()); // RFC 6298 5.3 (RFC 6582 4: the impatient variant)
            }
            if (lossState == FAST_RECOVERY) {
                partialAckSeen = true;
            }
            if (userTimeoutNanos > 0) {
                host.wheel().schedule(userTimer, now + userTimeoutNanos); // RFC 5482: new data acknowledged
            }
        }
        if (dataAcked > 0) {
            notifyApp(WRITABLE);
        }
    }

    /**
     * An RTT sample (RFC 6298 2): from the timed segment when it is covered and was not
     * retransmitted (Karn), otherwise from the echoed timestamp (RFC 7323 4: RTTM, valid for
     * retransmissions too, so a backed-off RTO comes down as soon as data gets through).
     */
    private void takeRttSample(int ack, TcpSegment seg, boolean ackOfSyn) {
        long now = host.now();
        if (rttTiming && SeqNum.ge(ack, rttSeq)) {
            rtt.sample(now - rttStart);
            rttTiming = false;
        } else if (timestampsOk && seg.hasTimestamps() && !rttTiming && !ackOfSyn) {
            // (not for a retransmitted SYN: the echo may be of the first SYN, and the peer's SYN,ACK
            // retransmission delay would pass for a round trip)
            long ms = (tsValue() - seg.tsEcr()) & 0xFFFF_FFFFL;
            if (ms < 3_600_000L) { // an echo from within the last hour: a valid one (RFC 7323 4.1)
                rtt.sample(ms == 0 ? 500_000L : ms * 1_000_000L); // a 1 ms clock: under one tick counts as half a tick
            }
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
            boolean hadGap = receiveBuffer.hasGap();
            if (skip < len && keep > 0) {
                // the buffer keeps a reference to the payload's buffer itself (no slice), reading it by index
                ByteBuf payload = seg.payloadBuffer();
                int inOrder = receiveBuffer.receive(relative, payload.retain(), seg.payloadIndex() + skip, keep);
                rcvNxt += inOrder;
                if (inOrder > 0) {
                    notifyApp(READABLE);
                }
            }
            largestReceived = Math.max(largestReceived, len);
            if (relative > 0 || hadGap || skip >= len || keep < len - skip) {
                ackNeeded = true; // RFC 5681 4.2: out of order, filling a gap, a duplicate or beyond the window: ACK at once
            } else {
                delayAck(keep);
            }
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
     * In-order data arrived: acknowledge at least every second full-sized segment, otherwise
     * within the delayed-ACK time (RFC 9293 3.8.6.3, RFC 5681 4.2, RFC 1122 4.2.3.2).
     */
    private void delayAck(int bytes) {
        unackedReceived += bytes;
        long delay = config.delayedAckNanos();
        if (delay == 0 || unackedReceived >= 2 * largestReceived) {
            ackNeeded = true;
        } else if (!delayedAckTimer.isScheduled()) {
            host.wheel().schedule(delayedAckTimer, host.now() + delay);
        }
    }

    /** The delayed-ACK timer fired: the ACK owed goes out now. */
    void delayedAckDue() {
        if (!released && irsKnown && unackedReceived > 0) {
            ackNeeded = true;
        }
    }

    /**
     * True if an ACK for an unacceptable segment may go out now: at most one per
     * {@link TcpConfig#dupAckIntervalNanos()} per connection (Linux's tcp_invalid_ratelimit),
     * except for a duplicate of data we already have, which means our ACK was lost: that is
     * answered every time (RFC 5681 4.2), since an ACK never makes the peer resend data. The
     * host's views (TIME-WAIT records, "no connection") keep no state and always answer.
     */
    boolean allowDupAck(TcpSegment seg) {
        if (scratch) {
            return true;
        }
        if (seg != null && seg.payloadLength() > 0 && !seg.has(TcpFlags.SYN)
                && SeqNum.le(seg.seq() + seg.payloadLength(), rcvNxt) && state.isSynchronized()) {
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
     * Sends what the state, the windows and the recovery allow: retransmissions first when
     * recovering from a loss, then new data from SND.NXT within the peer's window and the
     * congestion window (with the sender's SWS avoidance and Nagle's algorithm), the FIN once
     * all data is out, or else a pure ACK when one is owed; then makes sure the retransmission
     * timer runs while anything is unacknowledged (RFC 6298 5.1).
     */
    void output() {
        boolean sent = false;
        if (canSendData()) {
            if (lossState == FAST_RECOVERY && sackOk && scoreboard != null) {
                sent = sackRecoveryOutput();
            } else {
                if (lossState == TIMEOUT_RECOVERY) {
                    sent = timeoutRecoveryOutput();
                }
                while (sendNewSegment(congestionRoom()) > 0) {
                    sent = true;
                }
            }
        }
        if (finQueued && !finSent && irsKnown && !scratch && !released && sndNxt == bufferSeq + bufferedBytes()
                && (canSendData() || !synAcked && state == TcpState.FIN_WAIT_1)) {
            // RFC 9293 3.10.4: in SYN-RECEIVED with nothing queued, close sends the FIN at once
            transmit(sndNxt, TcpFlags.FIN | TcpFlags.ACK, 0, 0, false);
            sndNxt += 1;
            finSent = true;
            sent = true;
            if (lossState == TIMEOUT_RECOVERY) {
                retransmitNext = sndNxt;
            }
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

    /** How many more bytes the congestion window lets into the network now. */
    private long congestionRoom() {
        long flight = SeqNum.distance(sndUna, sndNxt);
        return switch (lossState) {
            case FAST_RECOVERY -> cc.cwnd() - flight; // NewReno: the window is inflated by the duplicate ACKs (RFC 6582)
            case TIMEOUT_RECOVERY -> SeqNum.lt(retransmitNext, sndNxt) ? 0 : cc.cwnd() - outstandingSinceTimeout();
            default -> cc.cwnd() + (long) Math.min(dupAcks, 2) * sndMss - flight; // RFC 3042 limited transmit
        };
    }

    /** After a timeout: the bytes sent again (or anew) since, and not acknowledged or SACKed. */
    private long outstandingSinceTimeout() {
        long n = SeqNum.distance(sndUna, retransmitNext);
        return scoreboard == null ? n : n - scoreboard.sackedBetween(sndUna, retransmitNext);
    }

    /**
     * After a timeout, the data between SND.UNA and the recovery point is presumed lost and sent
     * again in slow start, skipping what the peer SACKed (RFC 5681 3.1, RFC 6675 5.1).
     */
    private boolean timeoutRecoveryOutput() {
        boolean sent = false;
        while (SeqNum.lt(retransmitNext, sndNxt)) {
            if (scoreboard != null && scoreboard.isSacked(retransmitNext)) {
                retransmitNext = scoreboard.endOfSackedAt(retransmitNext);
                continue;
            }
            long room = cc.cwnd() - outstandingSinceTimeout();
            if (room < Math.min(sndMss, SeqNum.distance(retransmitNext, sndNxt))) {
                break;
            }
            int limit = sndMss;
            if (scoreboard != null) {
                int nextSacked = scoreboard.nextSackedAbove(retransmitNext);
                if (nextSacked != retransmitNext) {
                    limit = (int) Math.min(limit, SeqNum.distance(retransmitNext, nextSacked));
                }
            }
            int n = retransmitAt(retransmitNext, limit);
            if (n == 0) {
                retransmitNext = sndNxt;
                break;
            }
            retransmitNext += n;
            sent = true;
        }
        return sent;
    }

    /**
     * RFC 6675 section 5 step (C): while cwnd - pipe >= 1 SMSS, send what NextSeg() names: a lost
     * hole, new data, any other hole, or the rescue retransmission.
     */
    private boolean sackRecoveryOutput() {
        boolean sent = false;
        long pipe = scoreboard.pipe(sndUna, sndNxt, highRxt, sndMss);
        while (cc.cwnd() - pipe >= sndMss) {
            int n;
            int from = SeqNum.max(highRxt, sndUna);
            boolean belowSacked = !scoreboard.isEmpty();
            int s = belowSacked ? scoreboard.nextHole(sndUna, from, sndMss, true, holeEnd) : from;
            if (belowSacked && holeEnd[0] != s) {
                n = retransmitAt(s, (int) SeqNum.distance(s, holeEnd[0])); // rule 1: a lost hole
                highRxt = s + n;
            } else if ((n = sendNewSegment(cc.cwnd() - pipe)) > 0) {
                // rule 2: new data
            } else if (belowSacked && holeEnd[0] != (s = scoreboard.nextHole(sndUna, from, sndMss, false, holeEnd))) {
                n = retransmitAt(s, (int) SeqNum.distance(s, holeEnd[0])); // rule 3: a hole not yet deemed lost
                highRxt = s + n;
            } else if ((!rescueSet || SeqNum.gt(sndUna, rescueRxt)) && (n = rescueRetransmission()) > 0) {
                rescueRxt = recoveryPoint; // rule 4: HighRxt stays
                rescueSet = true;
            } else {
                break;
            }
            if (n <= 0) {
                break;
            }
            pipe += n;
            sent = true;
        }
        return sent;
    }

    /** RFC 6675 NextSeg() rule 4: one segment that holds the highest unSACKed sequence number. */
    private int rescueRetransmission() {
        int top = finSent ? sndNxt - 1 : sndNxt;
        int end = top;
        if (!scoreboard.isEmpty() && SeqNum.ge(scoreboard.highestSacked(), top)) {
            // the top is SACKed: the highest unSACKed byte lies below the last SACKed range
            end = scoreboard.left(scoreboard.ranges() - 1);
        }
        int start = SeqNum.max(sndUna, end - sndMss);
        if (!SeqNum.lt(start, end) && !(finSent && !finAcked)) {
            return 0;
        }
        return retransmitAt(start, (int) SeqNum.distance(start, end));
    }

    /**
     * Sends one new segment from SND.NXT if the peer's window, {@code congestionRoom}, the
     * sender's SWS avoidance (RFC 9293 3.8.6.2.1) and Nagle's algorithm (3.7.4) allow it; the FIN
     * rides on the last segment. Arms the persist timer when the peer's window holds data back
     * and nothing is in flight.
     *
     * @return the sequence space sent (0: nothing)
     */
    private int sendNewSegment(long congestionRoom) {
        int buffered = bufferedBytes();
        int offset = (int) SeqNum.distance(bufferSeq, sndNxt);
        int unsent = buffered - offset;
        if (unsent <= 0 || finSent) {
            return 0;
        }
        boolean idle = sndUna == sndNxt;
        long windowRoom = sndWnd - SeqNum.distance(sndUna, sndNxt);
        int mss = dataMss();
        long usable = Math.min(windowRoom, congestionRoom);
        int len = (int) Math.max(0, Math.min(Math.min(unsent, mss), usable));
        if (len <= 0) {
            if (windowRoom <= 0 && idle && !persistTimer.isScheduled()) {
                armPersist(); // RFC 9293 3.8.6.1: probe the zero window
            }
            return 0;
        }
        if (len < mss && !overrideSws) {
            boolean allQueued = len == unsent;
            boolean smallOutstanding = smallSegmentSent && SeqNum.gt(smallSegmentEnd, sndUna);
            // RFC 9293 3.7.4 (Nagle, with Minshall's refinement: hold only while a short segment is unacknowledged)
            boolean push = allQueued && (noDelay || finQueued || !smallOutstanding);
            // RFC 9293 3.8.6.2.1: or nothing in flight and at least half the largest window the peer offered
            boolean halfWindow = idle && len >= maxSndWnd / 2;
            if (!push && !halfWindow) {
                if (idle && windowRoom < unsent && !persistTimer.isScheduled()) {
                    armPersist(); // the override timeout: a small window must not hold the data forever
                }
                return 0;
            }
        }
        long now = host.now();
        if (idle && lastDataSentNanos != Long.MIN_VALUE && now - lastDataSentNanos > rtt.rto()) {
            cc.onIdleRestart(now); // RFC 5681 4.1: restart after an idle period
        }
        boolean last = len == unsent;
        boolean fin = last && finQueued;
        if (lossState == OPEN && dupAcks > 0 && SeqNum.distance(sndUna, sndNxt) + len > cc.cwnd()) {
            limitedTransmitBytes += len; // beyond cwnd: sent only by limited transmit (RFC 3042)
        }
        transmit(sndNxt, TcpFlags.ACK | (last ? TcpFlags.PSH : 0) | (fin ? TcpFlags.FIN : 0), offset, len, false);
        lastDataSentNanos = now;
        if (len < mss) {
            smallSegmentSent = true;
            smallSegmentEnd = sndNxt + len;
        }
        if (!rttTiming && lossState == OPEN) {
            startTiming(sndNxt + len);
        }
        sndNxt += len + (fin ? 1 : 0);
        finSent |= fin;
        if (lossState == TIMEOUT_RECOVERY) {
            retransmitNext = sndNxt;
        }
        return len + (fin ? 1 : 0);
    }

    /** The payload a data segment may carry: the effective MSS less the SACK option when we report holes. */
    private int dataMss() {
        if (sackOk && receiveBuffer != null && receiveBuffer.hasGap()) {
            return Math.max(1, sndMss - sackOptionBytes());
        }
        return sndMss;
    }

    /** The bytes the SACK option takes at most: 2 NOPs, kind, length and 8 per block. */
    private int sackOptionBytes() {
        return 4 + 8 * maxSackBlocks();
    }

    /** RFC 2018 3: four blocks fit, three beside timestamps. */
    private int maxSackBlocks() {
        return timestampsOk ? 3 : TcpSegment.MAX_SACK_BLOCKS;
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
        if (!synAcked) {
            rttTiming = false; // Karn: no sample from a retransmitted segment
            transmit(iss, TcpFlags.SYN | (irsKnown ? TcpFlags.ACK : 0), 0, 0, true);
            host.countRetransmission();
            return;
        }
        retransmitAt(sndUna, sndMss);
    }

    /**
     * Sends again up to {@code maxLength} bytes of sent data from {@code seq} (at most one
     * segment), with the FIN when it reaches the end of the data and the FIN was sent.
     *
     * @return the sequence space sent again (0: nothing there)
     */
    private int retransmitAt(int seq, int maxLength) {
        int sentDataEnd = finSent ? sndNxt - 1 : sndNxt;
        long available = SeqNum.lt(seq, sentDataEnd) ? SeqNum.distance(seq, sentDataEnd) : 0;
        int len = (int) Math.min(Math.min(available, maxLength), dataMss());
        boolean fin = finSent && !finAcked && seq + len == sentDataEnd;
        if (len <= 0 && !fin) {
            return 0;
        }
        int offset = (int) SeqNum.distance(bufferSeq, seq);
        rttTiming = false; // Karn: no sample from a retransmitted segment
        transmit(seq, TcpFlags.ACK | (len > 0 && seq + len == sentDataEnd ? TcpFlags.PSH : 0) | (fin ? TcpFlags.FIN : 0),
                offset, Math.max(len, 0), false);
        host.countRetransmission();
        return Math.max(len, 0) + (fin ? 1 : 0);
    }

    /**
     * The retransmission timer expired and the limit is not reached: back off (RFC 6298 5.5),
     * shrink the congestion window to one segment (RFC 5681 3.1, on the first timeout of a
     * series), and go back to SND.UNA: the data up to SND.NXT is sent again in slow start, less
     * what the peer SACKed.
     */
    void retransmitAfterTimeout() {
        retries++;
        if (retries == Math.min(config.r1Retries(), Math.max(1, config.dataRetries()))) {
            host.countR1(this); // RFC 9293 3.8.3: R1 reached
        }
        rtt.backoff();
        long now = host.now();
        if (!synAcked) {
            retransmitFirst();
        } else {
            if (retries == 1 && lossState != FAST_RECOVERY) {
                cc.onRetransmitTimeout(SeqNum.distance(sndUna, sndNxt), now);
            } else {
                // RFC 5681 3.1: ssthresh stays as the first timeout set it; during fast recovery it stays
                // as the loss set it (the window inflation is no sign of a larger path; Linux does the same)
                cc.cwnd(sndMss);
            }
            if (scoreboard != null && retries > 1) {
                scoreboard.clear(); // a second timeout in a row: the receiver may have reneged (RFC 2018 8)
            }
            host.countRetransmitTimeout();
            lossState = TIMEOUT_RECOVERY;
            recoveryPoint = sndNxt; // RFC 6675 5.1: no new recovery before this is acknowledged
            recoveryPointSet = true;
            retransmitNext = sndUna;
            dupAcks = 0;
            highRxt = sndUna;
            if (!timeoutRecoveryOutput()) {
                retransmitAt(sndUna, sndMss); // everything SACKed yet unacknowledged: the first segment again
            }
        }
        host.wheel().schedule(retransmitTimer, now + rtt.rto());
    }

    /**
     * The persist timer fired. With a usable window that the SWS rule held data back from, send
     * what fits (RFC 9293 3.8.6.2.1's override timeout); with a zero window, probe it with an old
     * sequence number, which the peer must ACK (3.8.6.1), backing off each time.
     */
    void persistExpired() {
        if (released) {
            return;
        }
        long windowRoom = sndWnd - SeqNum.distance(sndUna, sndNxt);
        if (windowRoom > 0) {
            overrideSws = true;
            try {
                output();
            } finally {
                overrideSws = false;
            }
            return;
        }
        if (sndWnd > 0 || bufferedBytes() <= (int) SeqNum.distance(bufferSeq, sndNxt)) {
            return; // data in flight (retransmission watches it) or nothing waits
        }
        transmit(sndUna - 1, TcpFlags.ACK, 0, 0, false);
        persistProbes++;
        persistBackoff = Math.min(persistBackoff + 1, 16);
        armPersist();
    }

    /** True when {@link TcpConfig#dataRetries()} zero-window probes in a row went unanswered: the peer is gone. */
    boolean persistProbesExhausted() {
        return persistProbes >= config.dataRetries() && sndWnd == 0;
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
        host.wheel().cancel(delayedAckTimer);
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
            if (config.sack() && (!irsKnown || sackOk)) {
                s.sackPermitted(true); // RFC 2018 2: offered in the SYN, answered in the SYN,ACK
            }
        } else if (timestampsOk) {
            s.timestamps(tsValue(), tsRecent);
        }
        if ((flags & TcpFlags.ACK) != 0) {
            if (!syn && sackOk && receiveBuffer != null && receiveBuffer.hasGap()) {
                if (sackEdges == null) {
                    sackEdges = new int[2 * TcpSegment.MAX_SACK_BLOCKS];
                }
                int blocks = receiveBuffer.sackBlocks(sackEdges, maxSackBlocks()); // RFC 2018 4
                for (int i = 0; i < blocks; i++) {
                    s.addSackBlock(rcvNxt + sackEdges[2 * i], rcvNxt + sackEdges[2 * i + 1]);
                }
            }
            if (SeqNum.ge(seq, sndUna)) {
                ackSent(); // a probe at SND.UNA - 1 is dropped unread by the peer (3.10.7.4): it pays no ACK owed
            }
        }
        if (length > 0) {
            s.payload(sendBuffer, offset, length); // borrowed: the encoder copies it out, nothing is sliced
        }
        host.transmit(this, s);
    }

    /** An ACK of RCV.NXT goes out: whatever ACK was owed or delayed is paid. */
    private void ackSent() {
        lastAckSent = rcvNxt;
        unackedReceived = 0;
        ackNeeded = false;
        if (delayedAckTimer.isScheduled()) {
            host.wheel().cancel(delayedAckTimer);
        }
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
        if (timestampsOk && seg.hasTimestamps() && SeqNum.ge(seg.tsVal(), tsRecent) && SeqNum.le(seg.seq(), lastAckSent)) {
            tsRecent = seg.tsVal();
            tsRecentNanos = host.now();
        }
    }

    /** RFC 7323 5.5: TS.Recent older than 24 days no longer serves PAWS. */
    @Override
    public boolean tsRecentValid() {
        return scratch || host.now() - tsRecentNanos < PAWS_IDLE_LIMIT_NANOS;
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
            receiveBuffer = new ReceiveBuffer(receiveBufferSize, host.allocator());
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
        lastAckSent = rcvNxtValue;
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
