package io.github.tcp4j.core.fsm;

/**
 * What the {@link SegmentClassifier} needs to know of a connection: its state and the sequence
 * variables of RFC 9293 section 3.3.1, plus a few facts the RFC's checks depend on. The
 * connection's control block implements it, and so does the compact TIME-WAIT record.
 */
public interface ConnectionView {

    /** The connection's state. */
    TcpState state();

    /** ISS: our initial send sequence number. */
    int iss();

    /** SND.UNA: the oldest unacknowledged sequence number. */
    int sndUna();

    /** SND.NXT: the next sequence number we will send. */
    int sndNxt();

    /** MAX.SND.WND: the largest window the peer has advertised (RFC 5961 section 5), in bytes. */
    long maxSndWnd();

    /** RCV.NXT: the next sequence number we expect. */
    int rcvNxt();

    /** RCV.WND: our receive window in bytes (already scaled). */
    long rcvWnd();

    /** True when the connection came from a listener (a passive OPEN). */
    boolean openedPassively();

    /** True once we have sent our FIN (its sequence number is SND.NXT - 1). */
    boolean finSent();

    /** True when the application has closed the socket (not merely shut down output): it will never read again. */
    boolean applicationClosed();

    /** True when RSTs in TIME-WAIT are ignored (RFC 1337), the stack's default. */
    boolean rfc1337Protection();

    /** True when both ends use timestamps (RFC 7323), so {@link #tsRecent()} is meaningful. */
    boolean timestampsInUse();

    /** TS.Recent (RFC 7323): the latest timestamp value received in order. */
    int tsRecent();

    /**
     * True while TS.Recent may be used for PAWS: RFC 7323 5.5 invalidates it after 24 days
     * without an update.
     */
    default boolean tsRecentValid() {
        return true;
    }
}
