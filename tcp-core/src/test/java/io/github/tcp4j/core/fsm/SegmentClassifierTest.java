package io.github.tcp4j.core.fsm;

import static io.github.tcp4j.core.fsm.TcpEvent.*;
import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.FIN;
import static io.github.tcp4j.core.wire.TcpFlags.PSH;
import static io.github.tcp4j.core.wire.TcpFlags.RST;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** One example per rule of RFC 9293 3.10.7 (and RFC 5961, 6191, 1337), in the RFC's order. */
class SegmentClassifierTest {

    private static TcpSegment seg(int flags, int seq, int ack, int dataLength) {
        // The payload is a wrapped zero array: no pooled memory to release.
        return new TcpSegment().flags(flags).seq(seq).ack(ack).payload(Unpooled.wrappedBuffer(new byte[dataLength]));
    }

    private static TcpEvent classify(TestConnection c, int flags, int seq, int ack, int dataLength) {
        return SegmentClassifier.classify(c, seg(flags, seq, ack, dataLength));
    }

    @Test
    void closedAndListen() {
        TestConnection closed = new TestConnection(TcpState.CLOSED);
        assertEquals(RCV_RST, classify(closed, RST, 1, 0, 0), "3.10.7.1: a RST is not answered");
        assertEquals(RCV_SYN, classify(closed, SYN, 1, 0, 0));
        assertEquals(RCV_ACK, classify(closed, ACK, 1, 5, 3));
        TestConnection listen = new TestConnection(TcpState.LISTEN);
        assertEquals(RCV_RST, classify(listen, RST | ACK, 1, 5, 0), "3.10.7.2 first: RST ignored");
        assertEquals(RCV_BAD_ACK, classify(listen, SYN | ACK, 1, 5, 0), "3.10.7.2 second: any ACK is bad");
        assertEquals(RCV_SYN, classify(listen, SYN, 1, 0, 0));
        assertEquals(RCV_IGNORABLE, classify(listen, FIN, 1, 0, 0));
        assertEquals(RCV_IGNORABLE, classify(listen, SYN | FIN, 1, 0, 0), "SYN+FIN is dropped, as Linux does");
    }

    @Test
    void synSent() {
        TestConnection c = new TestConnection(TcpState.SYN_SENT);
        c.iss = 100;
        c.sndUna = 100;
        c.sndNxt = 101;
        assertEquals(RCV_SYN_ACK, classify(c, SYN | ACK, 7000, 101, 0));
        assertEquals(RCV_SYN, classify(c, SYN, 7000, 0, 0), "simultaneous open");
        assertEquals(RCV_BAD_ACK, classify(c, SYN | ACK, 7000, 100, 0), "SEG.ACK =< ISS");
        assertEquals(RCV_BAD_ACK, classify(c, ACK, 7000, 102, 0), "SEG.ACK > SND.NXT");
        assertEquals(RCV_RST, classify(c, RST | ACK, 0, 101, 0), "refused: the RST acknowledges our SYN");
        assertEquals(RCV_IGNORABLE, classify(c, RST, 0, 0, 0), "a RST without ACK is dropped");
        assertEquals(RCV_IGNORABLE, classify(c, RST | ACK, 0, 102, 0), "a RST with a bad ACK is dropped");
        assertEquals(RCV_IGNORABLE, classify(c, ACK, 7000, 101, 0), "neither SYN nor RST");
    }

    private static TestConnection established() {
        TestConnection c = new TestConnection(TcpState.ESTABLISHED);
        c.sndUna = 500;
        c.sndNxt = 600;
        c.maxSndWnd = 1000;
        c.rcvNxt = 1000;
        c.rcvWnd = 1000;
        return c;
    }

    @Test
    void synchronizedStates() {
        TestConnection c = established();
        assertEquals(RCV_ACK, classify(c, ACK | PSH, 1000, 550, 100));
        assertEquals(RCV_ACK, classify(c, ACK, 1999, 550, 0), "last byte of the window");
        assertEquals(RCV_UNACCEPTABLE, classify(c, ACK, 2000, 550, 10), "beyond the window");
        assertEquals(RCV_UNACCEPTABLE, classify(c, ACK, 900, 550, 50), "all old data");
        assertEquals(RCV_ACK, classify(c, ACK, 900, 550, 101), "overlaps RCV.NXT");
        assertEquals(RCV_RST, classify(c, RST, 1000, 0, 0), "RFC 5961: exactly RCV.NXT");
        assertEquals(RCV_RST_IN_WINDOW, classify(c, RST, 1500, 0, 0), "RFC 5961: challenge ACK");
        assertEquals(RCV_IGNORABLE, classify(c, RST, 5000, 0, 0), "outside the window: dropped");
        assertEquals(RCV_SYN, classify(c, SYN, 1200, 0, 0), "RFC 5961 4");
        assertEquals(RCV_IGNORABLE, classify(c, PSH, 1000, 0, 10), "no ACK bit");
        assertEquals(RCV_BAD_ACK, classify(c, ACK, 1000, 601, 0), "ACK beyond SND.NXT");
        assertEquals(RCV_BAD_ACK, classify(c, ACK, 1000, 499 - 1000, 0), "older than SND.UNA - MAX.SND.WND");
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 0, 0), "a duplicate ACK within MAX.SND.WND");
        assertEquals(RCV_FIN, classify(c, ACK | FIN, 1000, 600, 20));
        assertEquals(RCV_ACK, classify(c, ACK | FIN, 1100, 600, 20), "a FIN after a gap waits in reassembly");
        c.rcvWnd = 0;
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 550, 0), "zero window: a bare ACK at RCV.NXT");
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 550, 1), "zero window: data at RCV.NXT, acceptable for its ACK (3.10.7.4)");
        assertEquals(RCV_UNACCEPTABLE, classify(c, ACK, 1001, 550, 1), "zero window: data beyond RCV.NXT");
        assertEquals(RCV_RST, classify(c, RST, 1000, 0, 5), "zero window: a RST with data at RCV.NXT resets");
    }

    @Test
    void synReceived() {
        TestConnection c = established();
        c.state = TcpState.SYN_RECEIVED;
        c.sndUna = 100;
        c.sndNxt = 101;
        c.passive = true;
        assertEquals(RCV_RST_TO_LISTEN, classify(c, RST, 1000, 0, 0));
        c.passive = false;
        assertEquals(RCV_RST, classify(c, RST, 1000, 0, 0), "active open: connection refused");
        assertEquals(RCV_BAD_ACK, classify(c, ACK, 1000, 100, 0), "SND.UNA < SEG.ACK fails");
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 101, 0), "our SYN is acknowledged");
    }

    @Test
    void closingStates() {
        TestConnection c = established();
        c.state = TcpState.FIN_WAIT_1;
        c.finSent = true; // our FIN is 600, SND.NXT 601
        c.sndNxt = 601;
        assertEquals(RCV_ACK_OF_FIN, classify(c, ACK, 1000, 601, 0));
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 600, 0), "the FIN itself not yet acknowledged");
        assertEquals(RCV_FIN_ACK_OF_FIN, classify(c, ACK | FIN, 1000, 601, 0), "FIN_WAIT_1 straight to TIME_WAIT");
        assertEquals(RCV_FIN, classify(c, ACK | FIN, 1000, 600, 0), "simultaneous close");
        c.appClosed = true;
        assertEquals(RCV_DATA_AFTER_CLOSE, classify(c, ACK, 1000, 600, 10));
        c.appClosed = false;
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 600, 10), "after shutdown(output) reading continues");

        c.state = TcpState.FIN_WAIT_2;
        c.sndUna = 601; // our FIN is acknowledged
        assertEquals(RCV_ACK, classify(c, ACK, 1000, 601, 10), "data in FIN_WAIT_2 is not another ACK of our FIN");
        assertEquals(RCV_FIN, classify(c, ACK | FIN, 1000, 601, 0));
    }

    @Test
    void aFinWhoseDataOverrunsTheWindowIsNotYetAFin() {
        TestConnection c = established();
        c.rcvNxt = 1000;
        c.rcvWnd = 100;
        assertEquals(RCV_FIN, classify(c, ACK | FIN, 1000, 600, 100), "the data fills the window exactly: the FIN counts");
        assertEquals(RCV_ACK, classify(c, ACK | FIN, 1000, 600, 101), "data beyond the window is trimmed, the FIN with it");
    }

    @Test
    void afterThePeersFin() {
        TestConnection c = established();
        c.state = TcpState.CLOSE_WAIT;
        c.rcvNxt = 1001; // their FIN was 1000
        assertEquals(RCV_FIN, classify(c, ACK | FIN, 1000, 600, 0), "a retransmitted FIN is ACKed again");

        c.state = TcpState.TIME_WAIT;
        c.finSent = true;
        c.sndUna = 601;
        c.sndNxt = 601;
        assertEquals(RCV_FIN, classify(c, ACK | FIN, 1000, 601, 0), "restarts 2MSL");
        assertEquals(RCV_SYN_REOPEN, classify(c, SYN, 90_000, 0, 0), "RFC 6191 without timestamps: SEQ beyond RCV.NXT");
        assertEquals(RCV_UNACCEPTABLE, classify(c, SYN, 10, 0, 0), "an old SYN is answered with an ACK");
        c.timestamps = true;
        c.tsRecent = 500;
        TcpSegment newer = seg(SYN, 10, 0, 0).timestamps(501, 0);
        assertEquals(RCV_SYN_REOPEN, SegmentClassifier.classify(c, newer), "RFC 6191: a newer timestamp, whatever the SEQ");
        TcpSegment older = seg(SYN, 1500, 0, 0).timestamps(499, 0);
        assertEquals(RCV_UNACCEPTABLE, SegmentClassifier.classify(c, older),
                "an older timestamp: PAWS (RFC 7323 5.3) rejects it before anything else, and it is answered with an ACK");
        TcpSegment sameTs = seg(SYN, 1500, 0, 0).timestamps(500, 0);
        assertEquals(RCV_SYN, SegmentClassifier.classify(c, sameTs), "an equal timestamp passes PAWS: no reopening, a challenge ACK");
        assertEquals(RCV_IGNORABLE, classify(c, RST, 1001, 0, 0), "RFC 1337: RST ignored in TIME_WAIT");
        c.rfc1337 = false;
        assertEquals(RCV_RST, classify(c, RST, 1001, 0, 0), "RFC 9293: RST closes TIME_WAIT");
    }
}
