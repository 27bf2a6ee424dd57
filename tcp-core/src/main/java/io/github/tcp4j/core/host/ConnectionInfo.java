package io.github.tcp4j.core.host;

import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.wire.IpAddress;
import java.util.List;
import java.util.Locale;

/**
 * One line of a netstat view: a connection (or listener, or TIME-WAIT record) at the moment the
 * snapshot was taken.
 *
 * @param local the local address (null: every address, for a listener)
 * @param localPort the local port
 * @param remote the remote address (null for a listener)
 * @param remotePort the remote port (0 for a listener)
 * @param state the connection's state
 * @param recvQueue bytes received and not yet read (netstat's Recv-Q)
 * @param sendQueue bytes sent and unacknowledged plus unsent (Send-Q)
 * @param timer the timer that runs next ("retransmission", "persist", "FIN-WAIT-2", "time-wait"), or null
 * @param timerLeftNanos time until it fires; 0 without a timer
 */
public record ConnectionInfo(IpAddress local, int localPort, IpAddress remote, int remotePort, TcpState state,
        int recvQueue, int sendQueue, String timer, long timerLeftNanos) {

    private static final String FORMAT = "%-12s %6s %6s %-15s %-15s %s%n";

    /**
     * Formats a snapshot like {@code netstat -tan} (with the timer column of {@code netstat -o}),
     * one line per connection, ordered by local then remote endpoint; IPv4 rows fit in 78 columns.
     */
    public static String format(List<ConnectionInfo> snapshot) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, FORMAT, "State", "Recv-Q", "Send-Q", "Local Address",
                "Foreign Address", "Timer"));
        snapshot.stream().sorted((x, y) -> x.sortKey().compareTo(y.sortKey())).forEach(c -> sb.append(String.format(Locale.ROOT,
                FORMAT, c.state().name(), c.recvQueue(), c.sendQueue(), endpoint(c.local(), c.localPort()),
                c.remote() == null ? "*:*" : endpoint(c.remote(), c.remotePort()),
                c.timer() == null ? "" : String.format(Locale.ROOT, "%s %.1fs", c.timer(), c.timerLeftNanos() / 1e9))));
        return sb.toString();
    }

    private String sortKey() {
        return String.format(Locale.ROOT, "%s:%05d %s:%05d", local, localPort, remote, remotePort);
    }

    private static String endpoint(IpAddress a, int port) {
        return (a == null ? "*" : a.toString()) + ":" + port;
    }
}
