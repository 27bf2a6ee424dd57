package io.github.tcp4j.core.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** For any connection and any segment, classification yields a segment event the table handles safely. */
class SegmentClassifierProperties {

    @Property(tries = 20_000)
    void anySegmentClassifiesSafely(@ForAll TcpState state, @ForAll int base, @ForAll @IntRange(min = 0, max = 3000) int inFlight,
            @ForAll @LongRange(min = 0, max = 100_000) long rcvWnd, @ForAll @IntRange(min = 0, max = 255) int flags,
            @ForAll @IntRange(min = -3000, max = 3000) int seqOffset, @ForAll @IntRange(min = -3000, max = 3000) int ackOffset,
            @ForAll @IntRange(min = 0, max = 1500) int dataLength, @ForAll boolean passive, @ForAll boolean finSent,
            @ForAll boolean appClosed, @ForAll boolean rfc1337, @ForAll boolean timestamps, @ForAll int tsVal) {
        TestConnection c = new TestConnection(state);
        c.iss = base;
        c.sndUna = base + 1;
        c.sndNxt = base + 1 + inFlight;
        c.rcvNxt = base * 31 + 7;
        c.rcvWnd = rcvWnd;
        c.passive = passive;
        c.finSent = finSent;
        c.appClosed = appClosed;
        c.rfc1337 = rfc1337;
        c.timestamps = timestamps;
        c.tsRecent = tsVal ^ 0x5555;
        TcpSegment seg = new TcpSegment().flags(flags).seq(c.rcvNxt + seqOffset).ack(c.sndUna + ackOffset)
                .payload(Unpooled.wrappedBuffer(new byte[dataLength]));
        if (timestamps) {
            seg.timestamps(tsVal, 0);
        }
        TcpEvent event = SegmentClassifier.classify(c, seg);
        assertEquals(TcpEvent.Kind.SEGMENT, event.kind());
        Transition t = TransitionTable.standard().lookup(state, event);
        if (seg.has(TcpFlags.RST)) {
            assertFalse(t.actions().contains(Action.SEND_RST) || t.actions().contains(Action.SEND_RST_REPLY),
                    "a RST is never answered with a RST: " + state + " " + event);
        }
        if (state == TcpState.CLOSED) {
            assertTrue(seg.has(TcpFlags.RST) || t.actions().contains(Action.SEND_RST_REPLY), "CLOSED answers with RST");
        }
        if (state == TcpState.TIME_WAIT && rfc1337 && seg.has(TcpFlags.RST)) {
            assertEquals(TcpState.TIME_WAIT, t.next(), "RFC 1337: a RST never ends TIME-WAIT");
        }
        if (event == TcpEvent.RCV_UNACCEPTABLE) {
            assertTrue(t.actions().containsAll(List.of(Action.SEND_DUP_ACK, Action.COUNT_DROP)), "3.10.7.4: ACK and drop");
        }
    }
}
