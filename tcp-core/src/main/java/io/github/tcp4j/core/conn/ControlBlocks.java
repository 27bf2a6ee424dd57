package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.timer.TimeWaitTable;
import io.github.tcp4j.core.timer.Timer;
import io.github.tcp4j.core.wire.IpAddress;

/**
 * The host's door into control blocks: making them, loading the host's reusable views, and
 * turning a connection into a TIME-WAIT record and back. Applications have no use for it; it is
 * public only because the host lives in another package.
 */
public final class ControlBlocks {

    /** What a TIME-WAIT record stores in place of TS.Recent's age when the connection used no timestamps. */
    public static final int NO_TIMESTAMPS = -1;

    private ControlBlocks() {
    }

    /** A new control block in CLOSED for an active open from local to remote. */
    public static TcpConnection newConnection(ConnectionHost host, IpAddress local, int localPort, IpAddress remote,
            int remotePort, ConnectionHandler handler) {
        TcpConnection c = new TcpConnection(host, local, localPort, remote, remotePort, false);
        c.handler(handler);
        return c;
    }

    /** A reusable view for the host: loaded per segment from a TIME-WAIT record or for "no connection". */
    public static TcpConnection newView(ConnectionHost host, IpAddress anyLocal) {
        return new TcpConnection(host, anyLocal, 0, null, 0, true);
    }

    /** Loads the view with "no connection" (CLOSED) for a segment from remote to local (RFC 9293 3.10.7.1). */
    public static void loadClosed(TcpConnection view, IpAddress local, int localPort, IpAddress remote, int remotePort) {
        view.localAddress = local;
        view.localPort = localPort;
        view.loadClosed(remote, remotePort);
    }

    /** Loads the view with TIME-WAIT record {@code e} of {@code table}. */
    public static void loadTimeWait(TcpConnection view, TimeWaitTable table, int e) {
        view.localAddress = table.localAddress(e);
        view.localPort = table.localPort(e);
        view.loadTimeWaitRecord(table.remoteAddress(e), table.remotePort(e), table.sndNxt(e), table.rcvNxt(e),
                table.rcvWnd(e), table.tsRecent(e), table.tsRecentAgeMillis(e) != NO_TIMESTAMPS);
        view.tsOffset = view.host.tsOffset(view); // per 4-tuple, so the record's timestamps continue the connection's
    }

    /**
     * Enters connection {@code c} into {@code table}: SND.NXT, RCV.NXT, the last window and our
     * shift, TS.Recent (or {@link #NO_TIMESTAMPS}).
     *
     * @return the entry, or -1 if the full table refused it
     */
    public static int insertTimeWait(TimeWaitTable table, TcpConnection c, long nowNanos) {
        return table.insert(c.localAddress, c.localPort, c.remoteAddress, c.remotePort, c.sndNxt, c.rcvNxt,
                c.windowAndShift(), c.tsRecent, c.timestampsOk ? 0 : NO_TIMESTAMPS, nowNanos);
    }

    /** The connection's timer that fires first, or null when none runs. */
    public static Timer nextTimer(TcpConnection c) {
        Timer next = null;
        for (Timer t : new Timer[] {c.retransmitTimer, c.persistTimer, c.finWait2Timer, c.userTimer, c.keepAliveTimer}) {
            if (t.isScheduled() && (next == null || t.deadline() < next.deadline())) {
                next = t;
            }
        }
        return next;
    }

    /** True when record {@code e} is connection {@code c}'s (not a later incarnation's on the same 4-tuple). */
    public static boolean isRecordOf(TimeWaitTable table, int e, TcpConnection c) {
        return table.sndNxt(e) == c.sndNxt && table.rcvNxt(e) == c.rcvNxt;
    }

    /** The listener whose own control block {@code c} is, or null. */
    public static TcpListener listenerOf(TcpConnection c) {
        return c.listener != null && c.listener.controlBlock() == c ? c.listener : null;
    }
}
