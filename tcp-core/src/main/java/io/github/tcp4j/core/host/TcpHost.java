package io.github.tcp4j.core.host;

import io.github.tcp4j.core.conn.ActionExecutor;
import io.github.tcp4j.core.conn.ConnectionHandler;
import io.github.tcp4j.core.conn.ConnectionHost;
import io.github.tcp4j.core.conn.ControlBlocks;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.conn.TcpConnection;
import io.github.tcp4j.core.conn.TcpError;
import io.github.tcp4j.core.conn.TcpException;
import io.github.tcp4j.core.conn.TcpListener;
import io.github.tcp4j.core.fsm.SegmentClassifier;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionListener;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.timer.Clock;
import io.github.tcp4j.core.timer.TimeWaitTable;
import io.github.tcp4j.core.timer.Timer;
import io.github.tcp4j.core.timer.TimerWheel;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.transport.SimNode;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP endpoint host: the connections of one or more local IP addresses, sans-I/O. Segments
 * come in through {@link #receive} (it is a {@link SimNode}, so a {@link SimNetwork} drives it
 * directly, and a real-time driver calls the same three methods); time comes in through
 * {@link #onTime}; segments go out through the {@link SegmentTransport} it was given.
 *
 * <p>The host demultiplexes each arriving segment by its 4-tuple: to a connection, else to a
 * compact TIME-WAIT record, else to a listener on the port (a SYN there makes a new connection),
 * else to "no connection", which the state machine answers with a RST (RFC 9293 3.10.7.1).
 * Segments that fail to decode or are not addressed to the host are counted and dropped
 * ({@link #stats()}); nothing an arriving segment holds can make the host throw.
 *
 * <p>It also owns the timer wheel every connection timer runs on, the TIME-WAIT tables (one per
 * address family), ephemeral port selection (RFC 6056), initial sequence numbers (RFC 6528), the
 * challenge ACK rate limit (RFC 5961 section 7), and the stream of transitions that tests, logs,
 * ladder diagrams and netstat views read ({@link #addTransitionListener}).
 *
 * <p>Single-threaded: not thread-safe, every call and every callback it makes happens on one
 * thread at a time (a driver that lets several threads run it, one after the other, hands it over
 * with a happens-before edge, such as a lock).
 */
public final class TcpHost implements SimNode, ConnectionHost {

    private static final Logger LOG = LoggerFactory.getLogger(TcpHost.class);
    private static final long ONE_SECOND = 1_000_000_000L;

    private final String name;
    private final TcpConfig config;
    private final Clock clock;
    private final SegmentTransport transport;
    private final List<IpAddress> addresses;
    private final ByteBufAllocator alloc;
    private final TimerWheel wheel;
    private final ActionExecutor executor;
    private final IsnGenerator isn;
    private final PortAllocator ports;
    private final TcpHostStats stats = new TcpHostStats();
    private final List<TransitionListener> transitionListeners = new ArrayList<>();
    private final List<TransitionListener> eventListeners = new ArrayList<>();

    private final Map<ConnectionKey, TcpConnection> connections = new HashMap<>();
    private final Map<Integer, List<TcpListener>> listeners = new HashMap<>();
    private TimeWaitTable timeWaitV4;
    private TimeWaitTable timeWaitV6;

    private final ConnectionKey probe = new ConnectionKey();
    private final TcpSegment incoming = new TcpSegment();
    private final TcpSegment outgoing = new TcpSegment();
    private final TcpConnection closedView;
    private final TcpConnection timeWaitView;
    /**
     * The smallest payload sent by reference on a transport that can: below it the receiver copies
     * the bytes anyway (it coalesces small payloads) and the extra header buffer and reference
     * count would cost more than the copy they spare.
     */
    private static final int BY_REFERENCE_MIN = 4096;
    private IpAddress currentSource;
    private IpAddress currentDestination;
    private boolean redispatch;
    private boolean evicting;
    private String causeOverride;

    private boolean checksumOffload;
    private long challengeWindowStart = Long.MIN_VALUE;
    private int challengeAcksInWindow;

    /**
     * A host.
     *
     * @param name a name for logs and traces
     * @param addresses the host's IP addresses (at least one)
     * @param transport where segments go
     * @param clock the stack's clock (a {@code ManualClock} on the simulator)
     * @param config settings
     * @param secretHigh first half of the secret keying ISNs and port selection (fix it in tests)
     * @param secretLow second half of the secret
     * @param alloc where buffers come from
     */
    public TcpHost(String name, List<IpAddress> addresses, SegmentTransport transport, Clock clock, TcpConfig config,
            long secretHigh, long secretLow, ByteBufAllocator alloc) {
        this.name = Objects.requireNonNull(name, "name");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a host needs at least one address");
        }
        this.addresses = List.copyOf(addresses);
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        this.wheel = new TimerWheel(clock.nanos());
        this.executor = new ActionExecutor(this);
        this.isn = new IsnGenerator(clock, secretHigh, secretLow);
        this.ports = new PortAllocator(config.ephemeralLow(), config.ephemeralHigh(), secretLow, secretHigh);
        this.closedView = ControlBlocks.newView(this, this.addresses.get(0));
        this.timeWaitView = ControlBlocks.newView(this, this.addresses.get(0));
    }

    /**
     * A host on a simulated network: it sends through {@code simHost}'s transport, runs on the
     * network's virtual clock and is attached to receive the host's segments and timers.
     *
     * @param secret keys ISNs and port choice; the same secret and seed give the same run
     */
    public static TcpHost attach(SimNetwork network, SimHost simHost, TcpConfig config, long secret) {
        TcpHost host = new TcpHost(simHost.name(), simHost.addresses(), simHost.transport(), network.clock(), config,
                secret, ~secret * 0x9E3779B97F4A7C15L, ByteBufAllocator.DEFAULT);
        simHost.attach(host);
        return host;
    }

    // =================================================================== the application's calls

    /**
     * Listens on {@code port} of {@code local} (null: every address of the host), a passive OPEN.
     *
     * @param backlog the accept queue's bound (see {@link TcpListener})
     * @param reuseAddress like SO_REUSEADDR: allow the port while connections, such as TIME-WAIT
     *     records of an earlier server, still use it; only another listener conflicts then
     * @throws TcpException {@link TcpError#ADDRESS_IN_USE} when the port is taken ("address already
     *     in use"); {@link TcpError#ADDRESS_NOT_AVAILABLE} when {@code local} is not the host's
     */
    public TcpListener listen(IpAddress local, int port, int backlog, boolean reuseAddress) {
        checkPort(port);
        if (local != null && !addresses.contains(local)) {
            throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, local.toString());
        }
        for (TcpListener l : listeners.getOrDefault(port, List.of())) {
            if (overlaps(l.localAddress(), local)) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, (local == null ? "*" : local) + ":" + port + " has a listener");
            }
        }
        if (!reuseAddress) {
            for (TcpConnection c : connections.values()) {
                if (c.localPort() == port && overlaps(c.localAddress(), local)) {
                    throw new TcpException(TcpError.ADDRESS_IN_USE, (local == null ? "*" : local) + ":" + port + " is used by " + c);
                }
            }
            if (timeWaitV4 != null && timeWaitV4.holdsLocalPort(port) || timeWaitV6 != null && timeWaitV6.holdsLocalPort(port)) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is held by a connection in TIME_WAIT");
            }
        }
        TcpListener l = TcpListener.open(this, local, port, backlog);
        listeners.computeIfAbsent(port, p -> new ArrayList<>(1)).add(l);
        return l;
    }

    /**
     * Opens a connection to {@code remote}:{@code remotePort} (an active OPEN): sends the SYN and
     * returns the connection in SYN-SENT; the handler hears when it is established or fails.
     *
     * @param local the local address, or null for the host's first address of the remote's family
     * @param localPort the local port, or 0 for an ephemeral one (RFC 6056)
     * @throws TcpException {@link TcpError#ADDRESS_IN_USE} when the 4-tuple is taken (by a
     *     connection, a TIME-WAIT record or a listener's port); {@link TcpError#NO_FREE_PORT} when
     *     no ephemeral port is free; {@link TcpError#ADDRESS_NOT_AVAILABLE} for a foreign local address
     */
    public TcpConnection connect(IpAddress local, int localPort, IpAddress remote, int remotePort, ConnectionHandler handler) {
        Objects.requireNonNull(remote, "remote");
        checkPort(remotePort);
        IpAddress from = local != null ? local : firstAddressLike(remote);
        if (!addresses.contains(from) || from.isV4() != remote.isV4()) {
            throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, from + " to reach " + remote);
        }
        int port = localPort;
        if (port == 0) {
            port = ports.allocate(from, remote, remotePort, this::tupleInUse);
            if (port == PortAllocator.EXHAUSTED) {
                throw new TcpException(TcpError.NO_FREE_PORT, "to " + remote + ":" + remotePort);
            }
        } else {
            checkPort(port);
            if (tupleInUse(from, port, remote, remotePort)) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, from + ":" + port + " > " + remote + ":" + remotePort);
            }
        }
        TcpConnection c = ControlBlocks.newConnection(this, from, port, remote, remotePort, handler);
        connections.put(new ConnectionKey(from, port, remote, remotePort), c);
        executor.userCall(c, TcpEvent.CONNECT);
        return c;
    }

    /**
     * Checksum offload: when on, the host neither computes the TCP checksum of what it sends (the
     * field is 0) nor verifies the checksum of what it receives, as Linux does over its loopback.
     * Only for a transport that guarantees that bytes arrive as sent and whose every host offloads
     * too (e.g. {@code InMemoryNetwork.withChecksumOffload()} of tcp-api); off by default, and off
     * on any real or simulated network, where corruption must be caught (RFC 9293 MUST-2/MUST-3).
     * Set it before the first segment.
     */
    public void checksumOffload(boolean on) {
        this.checksumOffload = on;
    }

    /** True when checksums are offloaded (see {@link #checksumOffload(boolean)}). */
    public boolean checksumOffload() {
        return checksumOffload;
    }

    /** Subscribes to every transition of this host's connections (state changes), on the stack's thread. */
    public void addTransitionListener(TransitionListener listener) {
        transitionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Subscribes to every event the state machine handles on this host, those that keep the state
     * included (a data segment in ESTABLISHED, a challenge ACK, a dropped segment): a full trace,
     * for debugging and for tests that check which cells of the table were exercised.
     */
    public void addEventListener(TransitionListener listener) {
        eventListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** How many connections the host holds now (TIME-WAIT records not included). */
    public int connectionCount() {
        return connections.size();
    }

    /** The connections the host holds now (TIME-WAIT records not included), in no particular order. */
    public List<TcpConnection> connections() {
        return List.copyOf(connections.values());
    }

    /**
     * A netstat view of the host now: every listener, connection and TIME-WAIT record, with its
     * queues and its next timer. Format it with {@link ConnectionInfo#format}.
     */
    public List<ConnectionInfo> netstat() {
        long now = clock.nanos();
        List<ConnectionInfo> rows = new ArrayList<>();
        for (TcpListener l : listeners()) {
            rows.add(new ConnectionInfo(l.localAddress(), l.localPort(), null, 0, l.state(), 0, l.acceptQueueLength(), null, 0));
        }
        for (TcpConnection c : connections.values()) {
            Timer t = ControlBlocks.nextTimer(c);
            rows.add(new ConnectionInfo(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort(), c.state(),
                    c.available(), c.sendQueued(), t == null ? null : t.name(), t == null ? 0 : Math.max(0, t.deadline() - now)));
        }
        for (TimeWaitTable tw : new TimeWaitTable[] {timeWaitV4, timeWaitV6}) {
            if (tw == null) {
                continue;
            }
            for (int e = tw.oldest(); e >= 0; e = tw.newer(e)) {
                rows.add(new ConnectionInfo(tw.localAddress(e), tw.localPort(e), tw.remoteAddress(e), tw.remotePort(e),
                        TcpState.TIME_WAIT, 0, 0, "time-wait", Math.max(0, tw.deadline(e) - now)));
            }
        }
        return rows;
    }

    /** The listeners, in no particular order. */
    public List<TcpListener> listeners() {
        List<TcpListener> all = new ArrayList<>();
        listeners.values().forEach(all::addAll);
        return all;
    }

    /** Connections in TIME-WAIT, held as compact records. */
    public int timeWaitCount() {
        return (timeWaitV4 == null ? 0 : timeWaitV4.size()) + (timeWaitV6 == null ? 0 : timeWaitV6.size());
    }

    /** The TIME-WAIT table of an address family, or null before its first record. */
    public TimeWaitTable timeWaitTable(boolean ipv6) {
        return ipv6 ? timeWaitV6 : timeWaitV4;
    }

    /** What the host counted. */
    public TcpHostStats stats() {
        return stats;
    }

    /** The host's name. */
    public String name() {
        return name;
    }

    /** The host's addresses. */
    public List<IpAddress> addresses() {
        return addresses;
    }

    @Override
    public String toString() {
        return "TcpHost " + name + addresses + " (" + connections.size() + " connections, " + timeWaitCount() + " in TIME_WAIT)";
    }

    // =================================================================== input: segments and time

    /** A segment arrived (takes over {@code bytes}' reference). Bad input is counted and dropped. */
    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf bytes) {
        stats.segmentsReceived++;
        if (!addresses.contains(destination)) {
            stats.notForUs++;
            bytes.release();
            return;
        }
        try {
            // The segment takes over the buffer as its payload (no slice): released with incoming.
            TcpCodec.decodeAndTakeOver(bytes, source, destination, incoming, !checksumOffload);
        } catch (MalformedPacketException e) {
            bytes.release();
            stats.malformed++;
            LOG.debug("{}: dropped a malformed segment from {}: {}", name, source, e.getMessage());
            return;
        } catch (RuntimeException e) {
            bytes.release();
            throw e;
        }
        dispatchIncoming(source, destination);
    }

    /**
     * A segment arrived as a header and a payload by reference (takes over both references).
     * Bad input is counted and dropped.
     */
    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
        stats.segmentsReceived++;
        if (!addresses.contains(destination)) {
            stats.notForUs++;
            header.release();
            payload.release();
            return;
        }
        try {
            TcpCodec.decodeAndTakeOver(header, payload, index, length, source, destination, incoming, !checksumOffload);
        } catch (MalformedPacketException e) {
            header.release();
            payload.release();
            stats.malformed++;
            LOG.debug("{}: dropped a malformed segment from {}: {}", name, source, e.getMessage());
            return;
        } catch (RuntimeException e) {
            header.release();
            payload.release();
            throw e;
        }
        dispatchIncoming(source, destination);
    }

    /** Hands the decoded {@code incoming} to its connection, listener or TIME-WAIT record; clears it. */
    private void dispatchIncoming(IpAddress source, IpAddress destination) {
        try {
            if (incoming.sourcePort() == 0 || incoming.destinationPort() == 0) {
                stats.badPort++;
                return;
            }
            currentSource = source;
            currentDestination = destination;
            dispatch(source, destination);
            if (redispatch) {
                redispatch = false; // RFC 6191: the record made way; the SYN now meets a listener (or a RST)
                dispatch(source, destination);
            }
        } finally {
            incoming.clear();
            currentSource = null;
            currentDestination = null;
        }
    }

    private void dispatch(IpAddress source, IpAddress destination) {
        int localPort = incoming.destinationPort();
        int remotePort = incoming.sourcePort();
        TcpConnection c = connections.get(probe.set(destination, localPort, source, remotePort));
        if (c != null) {
            executor.segmentArrives(c, incoming);
            return;
        }
        TimeWaitTable tw = destination.isV4() ? timeWaitV4 : timeWaitV6;
        int e = tw == null ? -1 : tw.find(destination, localPort, source, remotePort);
        if (e >= 0) {
            ControlBlocks.loadTimeWait(timeWaitView, tw, e);
            executor.segmentArrives(timeWaitView, incoming);
            return;
        }
        TcpListener l = findListener(destination, localPort);
        if (l != null) {
            TcpEvent event = SegmentClassifier.classify(l.controlBlock(), incoming);
            if (event != TcpEvent.RCV_SYN) {
                executor.segmentArrives(l.controlBlock(), incoming); // RST ignored, ACK answered with RST (3.10.7.2)
                return;
            }
            if (!l.admitSyn()) {
                stats.synQueueOverflows++;
                return;
            }
            TcpConnection child = l.fork(destination, source, remotePort);
            connections.put(new ConnectionKey(destination, localPort, source, remotePort), child);
            executor.segmentArrives(child, incoming);
            return;
        }
        ControlBlocks.loadClosed(closedView, destination, localPort, source, remotePort);
        executor.segmentArrives(closedView, incoming);
    }

    /** When the next timer (or TIME-WAIT expiry) is due. */
    @Override
    public long nextDeadline() {
        long next = wheel.nextDeadline();
        if (timeWaitV4 != null) {
            next = Math.min(next, timeWaitV4.nextDeadline());
        }
        if (timeWaitV6 != null) {
            next = Math.min(next, timeWaitV6.nextDeadline());
        }
        return next;
    }

    /** Fires every timer due at or before {@code nowNanos} and ends the TIME-WAIT records whose 2MSL passed. */
    @Override
    public void onTime(long nowNanos) {
        wheel.advanceTo(nowNanos);
        expireTimeWait(timeWaitV4, nowNanos);
        expireTimeWait(timeWaitV6, nowNanos);
    }

    private void expireTimeWait(TimeWaitTable tw, long nowNanos) {
        if (tw == null) {
            return;
        }
        while (tw.nextDeadline() <= nowNanos) {
            ControlBlocks.loadTimeWait(timeWaitView, tw, tw.oldest());
            executor.timerExpired(timeWaitView, TcpEvent.TIME_WAIT_EXPIRED); // the table: CLOSED, release the record
        }
    }

    // =================================================================== ConnectionHost

    @Override
    public TcpConfig config() {
        return config;
    }

    @Override
    public long now() {
        return clock.nanos();
    }

    @Override
    public TimerWheel wheel() {
        return wheel;
    }

    @Override
    public ByteBufAllocator allocator() {
        return alloc;
    }

    @Override
    public ActionExecutor executor() {
        return executor;
    }

    @Override
    public TcpSegment outgoing() {
        return outgoing.clear();
    }

    @Override
    public void transmit(TcpConnection connection, TcpSegment segment) {
        send(connection.localAddress(), connection.remoteAddress(), segment);
    }

    @Override
    public void transmitReply(TcpSegment segment) {
        if (currentSource == null) {
            segment.clear();
            return;
        }
        send(currentDestination, currentSource, segment);
    }

    private void send(IpAddress source, IpAddress destination, TcpSegment segment) {
        if (segment.payloadLength() >= BY_REFERENCE_MIN && transport.carriesPayloadByReference() && segment.payloadInOneBuffer()) {
            sendByReference(source, destination, segment);
            return;
        }
        ByteBuf bytes;
        try {
            bytes = TcpCodec.encode(segment, source, destination, alloc, !checksumOffload);
        } finally {
            segment.clear();
        }
        stats.segmentsSent++;
        transport.send(source, destination, bytes);
    }

    /** The header alone is encoded; the payload goes by reference to where it lies (the send buffer). */
    private void sendByReference(IpAddress source, IpAddress destination, TcpSegment segment) {
        ByteBuf header;
        ByteBuf payload;
        int index;
        int length = segment.payloadLength();
        try {
            header = TcpCodec.encodeHeader(segment, source, destination, alloc, !checksumOffload);
            payload = segment.payloadBuffer().retain();
            index = segment.payloadIndex();
        } finally {
            segment.clear();
        }
        stats.segmentsSent++;
        transport.send(source, destination, header, payload, index, length);
    }

    @Override
    public int newIss(TcpConnection c) {
        return isn.isn(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
    }

    @Override
    public int tsOffset(TcpConnection c) {
        return isn.offset(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
    }

    @Override
    public void publish(TcpConnection c, TcpState from, TcpEvent event, TcpState to, TcpSegment cause) {
        boolean transition = from != to;
        boolean toTransitionListeners = transition && !transitionListeners.isEmpty();
        if (!toTransitionListeners && eventListeners.isEmpty() && !(transition && LOG.isDebugEnabled())) {
            return;
        }
        String connection = c.tupleString();
        String why = causeOverride != null ? causeOverride : cause == null ? event.label() : cause.toString();
        if (transition) {
            LOG.debug("{}: {} {} -> {} on {} ({})", name, connection, from, to, event.label(), why);
        }
        TransitionRecord r = new TransitionRecord(clock.nanos(), connection, from, event, to, why);
        if (toTransitionListeners) {
            for (int i = 0; i < transitionListeners.size(); i++) {
                transitionListeners.get(i).onTransition(r);
            }
        }
        for (int i = 0; i < eventListeners.size(); i++) {
            eventListeners.get(i).onTransition(r);
        }
    }

    @Override
    public boolean allowChallengeAck() {
        long now = clock.nanos();
        if (now - challengeWindowStart >= ONE_SECOND || challengeWindowStart == Long.MIN_VALUE) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow < config.challengeAckLimitPerSecond()) {
            challengeAcksInWindow++;
            stats.challengeAcksSent++;
            return true;
        }
        stats.challengeAcksSuppressed++;
        return false;
    }

    @Override
    public boolean enterTimeWait(TcpConnection c) {
        connections.remove(probe.set(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort()));
        TimeWaitTable tw = timeWaitTableFor(c.localAddress());
        if (tw.size() == tw.capacity() && config.timeWaitEvictOldest()
                && tw.find(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort()) < 0) {
            // The oldest record makes room; the state machine ends it, so the eviction is seen.
            ControlBlocks.loadTimeWait(timeWaitView, tw, tw.oldest());
            evicting = true;
            causeOverride = "evicted: the TIME-WAIT table is full";
            try {
                executor.timerExpired(timeWaitView, TcpEvent.TIME_WAIT_EXPIRED);
            } finally {
                evicting = false;
                causeOverride = null;
            }
        }
        return ControlBlocks.insertTimeWait(tw, c, clock.nanos()) >= 0;
    }

    @Override
    public void restartTimeWait(TcpConnection c) {
        TimeWaitTable tw = c.localAddress().isV4() ? timeWaitV4 : timeWaitV6;
        int e = recordOf(tw, c);
        if (e >= 0) {
            tw.restart(e, clock.nanos());
        }
    }

    @Override
    public void removeTimeWait(TcpConnection c) {
        TimeWaitTable tw = c.localAddress().isV4() ? timeWaitV4 : timeWaitV6;
        int e = recordOf(tw, c);
        if (e >= 0) {
            if (evicting) {
                tw.evict(e);
            } else {
                tw.remove(e);
            }
        }
    }

    @Override
    public boolean holdsTimeWait(TcpConnection c) {
        return recordOf(c.localAddress().isV4() ? timeWaitV4 : timeWaitV6, c) >= 0;
    }

    /** The record of this very connection: same 4-tuple and same sequence numbers (a later incarnation has others). */
    private static int recordOf(TimeWaitTable tw, TcpConnection c) {
        int e = tw == null ? -1 : tw.find(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
        return e >= 0 && ControlBlocks.isRecordOf(tw, e, c) ? e : -1;
    }

    @Override
    public void reopenFromTimeWait(TcpConnection c, TcpSegment syn) {
        removeTimeWait(c);
        stats.timeWaitReopened++;
        redispatch = true;
    }

    @Override
    public void register(TcpConnection c) {
        // The listener's own port does not count: it is the listener that turns active.
        ConnectionKey k = probe.set(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
        if (connections.containsKey(k) || holdsTimeWait(c)) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, k.toString());
        }
        connections.put(new ConnectionKey(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort()), c);
    }

    @Override
    public void unregister(TcpConnection c) {
        TcpListener l = ControlBlocks.listenerOf(c);
        if (l != null) {
            List<TcpListener> onPort = listeners.get(c.localPort());
            if (onPort != null) {
                onPort.remove(l);
                if (onPort.isEmpty()) {
                    listeners.remove(c.localPort());
                }
            }
            return;
        }
        if (c.remoteAddress() != null) {
            ConnectionKey k = probe.set(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
            if (connections.get(k) == c) {
                connections.remove(k);
            }
        }
    }

    @Override
    public void countDrop(TcpEvent event) {
        stats.droppedByStateMachine++;
    }

    @Override
    public void countRetransmission() {
        stats.retransmissions++;
    }

    @Override
    public void countFastRetransmit() {
        stats.fastRetransmits++;
    }

    @Override
    public void countRetransmitTimeout() {
        stats.retransmitTimeouts++;
    }

    @Override
    public void countR1(TcpConnection connection) {
        stats.r1Reached++;
        LOG.debug("{}: {} reached R1 (RFC 9293 3.8.3): retransmissions go unanswered", name, connection);
    }

    @Override
    public void countDupAckSuppressed() {
        stats.dupAcksSuppressed++;
    }

    @Override
    public void countRstSent() {
        stats.rstsSent++;
    }

    // =================================================================== helpers

    private TcpListener findListener(IpAddress local, int port) {
        List<TcpListener> onPort = listeners.get(port);
        if (onPort == null) {
            return null;
        }
        TcpListener wildcard = null;
        for (int i = 0; i < onPort.size(); i++) {
            TcpListener l = onPort.get(i);
            if (local.equals(l.localAddress())) {
                return l;
            }
            if (l.localAddress() == null) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    private boolean tupleInUse(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        if (connections.containsKey(probe.set(local, localPort, remote, remotePort))) {
            return true;
        }
        TimeWaitTable tw = local.isV4() ? timeWaitV4 : timeWaitV6;
        if (tw != null && tw.find(local, localPort, remote, remotePort) >= 0) {
            return true;
        }
        return listeners.containsKey(localPort);
    }

    private TimeWaitTable timeWaitTableFor(IpAddress local) {
        TimeWaitTable.Overflow overflow = config.timeWaitEvictOldest() ? TimeWaitTable.Overflow.EVICT_OLDEST
                : TimeWaitTable.Overflow.REFUSE;
        if (local.isV4()) {
            if (timeWaitV4 == null) {
                timeWaitV4 = new TimeWaitTable(false, config.timeWaitCapacity(), initialTimeWaitCapacity(), config.twoMslNanos(),
                        overflow);
            }
            return timeWaitV4;
        }
        if (timeWaitV6 == null) {
            timeWaitV6 = new TimeWaitTable(true, config.timeWaitCapacity(), initialTimeWaitCapacity(), config.twoMslNanos(),
                    overflow);
        }
        return timeWaitV6;
    }

    /** A table starts small and grows up to its capacity: most hosts never hold many TIME-WAIT records. */
    private int initialTimeWaitCapacity() {
        return Math.min(config.timeWaitCapacity(), 1024);
    }

    private IpAddress firstAddressLike(IpAddress remote) {
        for (IpAddress a : addresses) {
            if (a.isV4() == remote.isV4()) {
                return a;
            }
        }
        return addresses.get(0);
    }

    private static boolean overlaps(IpAddress a, IpAddress b) {
        return a == null || b == null || a.equals(b);
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
    }
}
