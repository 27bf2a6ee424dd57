package io.github.tcp4j.core.host;

/**
 * What a host counted: segments in and out, and every segment it dropped, by cause. Read on the
 * stack's thread (or after the run); the counters only grow.
 */
public final class TcpHostStats {

    long segmentsReceived;
    long segmentsSent;
    long malformed;
    long notForUs;
    long badPort;
    long droppedByStateMachine;
    long rstsSent;
    long challengeAcksSent;
    long challengeAcksSuppressed;
    long dupAcksSuppressed;
    long retransmissions;
    long fastRetransmits;
    long retransmitTimeouts;
    long r1Reached;
    long synQueueOverflows;
    long timeWaitReopened;

    /** Segments handed to the host. */
    public long segmentsReceived() {
        return segmentsReceived;
    }

    /** Segments the host sent. */
    public long segmentsSent() {
        return segmentsSent;
    }

    /** Segments that failed to decode (bad checksum, bad header or options) and were dropped. */
    public long malformed() {
        return malformed;
    }

    /** Segments addressed to an IP address the host does not have, dropped. */
    public long notForUs() {
        return notForUs;
    }

    /** Segments with source or destination port 0, dropped. */
    public long badPort() {
        return badPort;
    }

    /** Segments the state machine decided to drop (the table's COUNT_DROP), including full accept queues. */
    public long droppedByStateMachine() {
        return droppedByStateMachine;
    }

    /** RSTs sent, in reply to segments and to reset connections. */
    public long rstsSent() {
        return rstsSent;
    }

    /** Challenge ACKs sent (RFC 5961). */
    public long challengeAcksSent() {
        return challengeAcksSent;
    }

    /** Challenge ACKs not sent because of the per-second limit. */
    public long challengeAcksSuppressed() {
        return challengeAcksSuppressed;
    }

    /** ACKs for unacceptable segments not sent because of the per-connection limit. */
    public long dupAcksSuppressed() {
        return dupAcksSuppressed;
    }

    /** Segments sent again: after a timeout, in fast recovery, or for a partial ACK. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Fast retransmits: loss recoveries begun on duplicate ACKs or SACK (RFC 5681 3.2, RFC 6675). */
    public long fastRetransmits() {
        return fastRetransmits;
    }

    /** Expiries of retransmission timers that resent data (not SYNs). */
    public long retransmitTimeouts() {
        return retransmitTimeouts;
    }

    /** Times a connection reached R1 of RFC 9293 3.8.3 (the point where IP would get negative advice). */
    public long r1Reached() {
        return r1Reached;
    }

    /** SYNs dropped because a listener's SYN queue was full. */
    public long synQueueOverflows() {
        return synQueueOverflows;
    }

    /** TIME-WAIT records replaced by a new incarnation (RFC 6191). */
    public long timeWaitReopened() {
        return timeWaitReopened;
    }

    @Override
    public String toString() {
        return "received " + segmentsReceived + ", sent " + segmentsSent + ", malformed " + malformed + ", not for us "
                + notForUs + ", bad port " + badPort + ", dropped by state machine " + droppedByStateMachine + ", RSTs sent "
                + rstsSent + ", challenge ACKs " + challengeAcksSent + " (+" + challengeAcksSuppressed + " suppressed), dup ACKs suppressed " + dupAcksSuppressed + ", retransmissions "
                + retransmissions + " (fast " + fastRetransmits + ", timeouts " + retransmitTimeouts + ", R1 reached " + r1Reached + "), SYN queue overflows " + synQueueOverflows + ", TIME-WAIT reopened " + timeWaitReopened;
    }
}
