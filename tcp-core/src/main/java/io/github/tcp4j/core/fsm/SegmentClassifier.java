package io.github.tcp4j.core.fsm;

import io.github.tcp4j.core.wire.SeqNum;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;

/**
 * Turns an arriving segment into the one {@link TcpEvent} the {@link TransitionTable} decides on,
 * by the checks of RFC 9293 section 3.10.7 in the RFC's order (with RFC 5961's RST, SYN and ACK
 * rules, RFC 6191 for a SYN in TIME-WAIT and RFC 1337 for a RST in TIME-WAIT).
 *
 * <p>The classifier reads sequence numbers and windows; it never changes anything and never
 * chooses a state: that is the table's job. A FIN that arrives ahead of missing data is
 * classified {@link TcpEvent#RCV_ACK} (its data goes to reassembly); the connection reports
 * {@link TcpEvent#RCV_FIN} when the gap fills and the FIN becomes in order.
 *
 * <p>With a zero receive window a segment exactly at RCV.NXT is acceptable for its ACK and RST
 * (its data is trimmed away), per RFC 9293's special allowance. The URG bit and the security
 * check (3.10.7.4 third) are not looked at.
 */
public final class SegmentClassifier {

    private SegmentClassifier() {
    }

    /** The event for {@code seg} arriving on connection {@code c}. */
    public static TcpEvent classify(ConnectionView c, TcpSegment seg) {
        return switch (c.state()) {
            case CLOSED -> closed(seg);
            case LISTEN -> listen(seg);
            case SYN_SENT -> synSent(c, seg);
            default -> synchronizedOrSynReceived(c, seg);
        };
    }

    // 3.10.7.1: everything but a RST is answered with a RST (the table does that).
    private static TcpEvent closed(TcpSegment seg) {
        if (seg.has(TcpFlags.RST)) {
            return TcpEvent.RCV_RST;
        }
        return seg.has(TcpFlags.ACK) ? TcpEvent.RCV_ACK : seg.has(TcpFlags.SYN) ? TcpEvent.RCV_SYN : TcpEvent.RCV_IGNORABLE;
    }

    // 3.10.7.2: RST ignored, then ACK -> RST, then SYN, else drop.
    private static TcpEvent listen(TcpSegment seg) {
        if (seg.has(TcpFlags.RST)) {
            return TcpEvent.RCV_RST;
        }
        if (seg.has(TcpFlags.ACK)) {
            return TcpEvent.RCV_BAD_ACK;
        }
        if (seg.has(TcpFlags.SYN) && seg.has(TcpFlags.FIN)) {
            return TcpEvent.RCV_IGNORABLE; // SYN+FIN: a scanner's probe, dropped as Linux does (RFC 9293 would queue the FIN)
        }
        return seg.has(TcpFlags.SYN) ? TcpEvent.RCV_SYN : TcpEvent.RCV_IGNORABLE;
    }

    // 3.10.7.3
    private static TcpEvent synSent(ConnectionView c, TcpSegment seg) {
        boolean ack = seg.has(TcpFlags.ACK);
        boolean rst = seg.has(TcpFlags.RST);
        boolean ackAcceptable = false;
        if (ack) {
            // First check: an ACK at or below ISS, or beyond SND.NXT, acknowledges nothing we sent.
            if (SeqNum.le(seg.ack(), c.iss()) || SeqNum.gt(seg.ack(), c.sndNxt())) {
                return rst ? TcpEvent.RCV_IGNORABLE : TcpEvent.RCV_BAD_ACK;
            }
            ackAcceptable = SeqNum.ltLe(c.sndUna(), seg.ack(), c.sndNxt());
        }
        if (rst) {
            // Second check: a RST counts only with an ACK of our SYN (RFC 5961 section 3 as well).
            return ackAcceptable ? TcpEvent.RCV_RST : TcpEvent.RCV_IGNORABLE;
        }
        if (seg.has(TcpFlags.SYN)) {
            if (ackAcceptable) {
                return TcpEvent.RCV_SYN_ACK;
            }
            return ack ? TcpEvent.RCV_IGNORABLE : TcpEvent.RCV_SYN; // a bare SYN: simultaneous open
        }
        return TcpEvent.RCV_IGNORABLE; // fifth: neither SYN nor RST
    }

    // 3.10.7.4
    private static TcpEvent synchronizedOrSynReceived(ConnectionView c, TcpSegment seg) {
        TcpState state = c.state();
        boolean rst = seg.has(TcpFlags.RST);
        boolean syn = seg.has(TcpFlags.SYN);
        boolean fin = seg.has(TcpFlags.FIN);

        if (state == TcpState.TIME_WAIT && syn && !seg.has(TcpFlags.ACK) && !rst && isNewIncarnation(c, seg)) {
            return TcpEvent.RCV_SYN_REOPEN; // RFC 6191, checked before the window: a new SYN starts beyond it
        }
        if (fin && !rst && !syn && peerFinAlreadyReceived(state) && isRetransmittedFin(c, seg)) {
            // Their FIN again (our ACK of it was lost): it lies just below the window.
            return ourFinNewlyAcked(c, seg) ? TcpEvent.RCV_FIN_ACK_OF_FIN : TcpEvent.RCV_FIN;
        }
        // RFC 7323 5.3 R1: PAWS, before the sequence number check: an older timestamp marks an old duplicate
        if (!rst && c.timestampsInUse() && seg.hasTimestamps() && c.tsRecentValid() && SeqNum.lt(seg.tsVal(), c.tsRecent())) {
            return TcpEvent.RCV_UNACCEPTABLE;
        }
        // First check: sequence number acceptability.
        if (!acceptable(c, seg)) {
            return rst ? TcpEvent.RCV_IGNORABLE : TcpEvent.RCV_UNACCEPTABLE;
        }
        // Second check: RST (RFC 5961 section 3: exactly RCV.NXT resets, elsewhere in the window gets a challenge).
        if (rst) {
            if (seg.seq() != c.rcvNxt()) {
                return TcpEvent.RCV_RST_IN_WINDOW;
            }
            if (state == TcpState.TIME_WAIT && c.rfc1337Protection()) {
                return TcpEvent.RCV_IGNORABLE; // RFC 1337: no TIME-WAIT assassination
            }
            return state == TcpState.SYN_RECEIVED && c.openedPassively() ? TcpEvent.RCV_RST_TO_LISTEN : TcpEvent.RCV_RST;
        }
        // Fourth check: SYN (RFC 5961 section 4: a challenge ACK).
        if (syn) {
            return TcpEvent.RCV_SYN;
        }
        // Fifth check: ACK.
        if (!seg.has(TcpFlags.ACK)) {
            return TcpEvent.RCV_IGNORABLE;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (!SeqNum.ltLe(c.sndUna(), seg.ack(), c.sndNxt())) {
                return TcpEvent.RCV_BAD_ACK;
            }
        } else if (SeqNum.gt(seg.ack(), c.sndNxt()) || tooOld(c, seg)) {
            return TcpEvent.RCV_BAD_ACK; // RFC 5961 section 5: SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT
        }
        // Seventh: text after the application closed cannot be delivered: reset (RFC 2525 2.17).
        if (c.applicationClosed() && seg.payloadLength() > 0 && bringsNewData(c, seg)
                && (state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2)) {
            return TcpEvent.RCV_DATA_AFTER_CLOSE;
        }
        boolean finAcked = ourFinNewlyAcked(c, seg);
        // Eighth check: FIN, when everything before it has arrived and its data fits the window
        // (data beyond the window is trimmed, and the FIN with it: the peer sends it again).
        if (fin && SeqNum.le(seg.seq(), c.rcvNxt()) && finFitsWindow(c, seg)) {
            return finAcked ? TcpEvent.RCV_FIN_ACK_OF_FIN : TcpEvent.RCV_FIN;
        }
        return finAcked ? TcpEvent.RCV_ACK_OF_FIN : TcpEvent.RCV_ACK;
    }

    /**
     * The acceptability test of RFC 9293 section 3.10.7.4 (four cases of SEG.LEN and RCV.WND).
     */
    static boolean acceptable(ConnectionView c, TcpSegment seg) {
        int len = seg.segmentLength();
        long wnd = c.rcvWnd();
        int rcvNxt = c.rcvNxt();
        int windowEnd = (int) (rcvNxt + Math.min(wnd, 0xFFFF_FFFFL));
        if (len == 0) {
            // Zero length: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, with the right edge itself accepted as
            // Linux does (a RST excepted: RFC 5961 3.2's window stays strict): a peer whose SND.NXT
            // reached our window's edge sends its ACKs exactly there, and rejecting them would make
            // two full windows answer each other's ACKs forever.
            if (wnd == 0) {
                return seg.seq() == rcvNxt;
            }
            return seg.has(TcpFlags.RST) ? SeqNum.leLt(rcvNxt, seg.seq(), windowEnd) : SeqNum.leLe(rcvNxt, seg.seq(), windowEnd);
        }
        if (wnd == 0) {
            // RFC 9293 3.10.7.4: with a zero window "special allowance should be made to accept valid
            // ACKs, URGs, and RSTs": a segment exactly at RCV.NXT is acceptable for its controls, and
            // its data is trimmed to the (empty) window, as Linux does.
            return seg.seq() == rcvNxt;
        }
        return SeqNum.leLt(rcvNxt, seg.seq(), windowEnd) || SeqNum.leLt(rcvNxt, seg.seq() + len - 1, windowEnd);
    }

    private static boolean finFitsWindow(ConnectionView c, TcpSegment seg) {
        long end = SeqNum.distance(c.rcvNxt(), seg.seq() + seg.payloadLength());
        return end <= 0x7FFF_FFFFL && end <= c.rcvWnd();
    }

    private static boolean tooOld(ConnectionView c, TcpSegment seg) {
        long back = Math.min(c.maxSndWnd(), 0x7FFF_FFFFL);
        return SeqNum.lt(seg.ack(), (int) (c.sndUna() - back));
    }

    private static boolean ourFinNewlyAcked(ConnectionView c, TcpSegment seg) {
        // Our FIN is the last sequence number sent: an ACK of SND.NXT covers it, if it was not covered yet.
        return c.finSent() && seg.has(TcpFlags.ACK) && seg.ack() == c.sndNxt() && c.sndUna() != c.sndNxt();
    }

    private static boolean bringsNewData(ConnectionView c, TcpSegment seg) {
        return SeqNum.gt(seg.seq() + seg.payloadLength(), c.rcvNxt());
    }

    private static boolean peerFinAlreadyReceived(TcpState state) {
        return state == TcpState.CLOSE_WAIT || state == TcpState.CLOSING || state == TcpState.LAST_ACK
                || state == TcpState.TIME_WAIT;
    }

    private static boolean isRetransmittedFin(ConnectionView c, TcpSegment seg) {
        // The FIN occupies RCV.NXT - 1: the segment's data (if any) and FIN end exactly there.
        return seg.seq() + seg.payloadLength() == c.rcvNxt() - 1;
    }

    private static boolean isNewIncarnation(ConnectionView c, TcpSegment seg) {
        // RFC 6191 section 2: with timestamps on both sides, a newer TSval; otherwise (RFC 1122
        // 4.2.2.13) a sequence number beyond RCV.NXT.
        if (c.timestampsInUse() && seg.hasTimestamps()) {
            return SeqNum.gt(seg.tsVal(), c.tsRecent());
        }
        return SeqNum.gt(seg.seq(), c.rcvNxt());
    }
}
