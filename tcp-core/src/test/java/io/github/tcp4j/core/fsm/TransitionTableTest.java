package io.github.tcp4j.core.fsm;

import static io.github.tcp4j.core.fsm.TcpEvent.*;
import static io.github.tcp4j.core.fsm.TcpState.CLOSED;
import static io.github.tcp4j.core.fsm.TcpState.CLOSE_WAIT;
import static io.github.tcp4j.core.fsm.TcpState.CLOSING;
import static io.github.tcp4j.core.fsm.TcpState.ESTABLISHED;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_1;
import static io.github.tcp4j.core.fsm.TcpState.FIN_WAIT_2;
import static io.github.tcp4j.core.fsm.TcpState.LAST_ACK;
import static io.github.tcp4j.core.fsm.TcpState.SYN_RECEIVED;
import static io.github.tcp4j.core.fsm.TcpState.SYN_SENT;
import static io.github.tcp4j.core.fsm.TcpState.TIME_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransitionTableTest {

    private final TransitionTable table = TransitionTable.standard();

    /** Follows events from {@code start} and returns the states visited, start included. */
    private List<TcpState> walk(TcpState start, TcpEvent... events) {
        List<TcpState> states = new java.util.ArrayList<>(List.of(start));
        TcpState s = start;
        for (TcpEvent e : events) {
            s = table.lookup(s, e).next();
            states.add(s);
        }
        return states;
    }

    @Test
    void everyStateAndEventPairHasAnExplainedEntry() {
        int cells = 0;
        for (TcpState s : TcpState.values()) {
            for (TcpEvent e : TcpEvent.values()) {
                Transition t = table.lookup(s, e);
                assertFalse(t.why().isBlank(), s + " x " + e);
                cells++;
            }
        }
        assertEquals(TcpState.values().length * TcpEvent.values().length, cells);
    }

    @Test
    void opens() {
        assertEquals(List.of(CLOSED, SYN_SENT, ESTABLISHED), walk(CLOSED, CONNECT, RCV_SYN_ACK));
        assertEquals(List.of(CLOSED, TcpState.LISTEN, SYN_RECEIVED, ESTABLISHED), walk(CLOSED, LISTEN, RCV_SYN, RCV_ACK));
        // Simultaneous open: both ends SYN-SENT -> SYN-RECEIVED -> ESTABLISHED, the SYN,ACK with the same ISS.
        assertEquals(List.of(CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED), walk(CLOSED, CONNECT, RCV_SYN, RCV_ACK));
        assertEquals(List.of(Action.SEND_SYN_ACK, Action.ARM_RETRANSMIT), table.lookup(SYN_SENT, RCV_SYN).actions());
        assertEquals(SYN_SENT, table.lookup(TcpState.LISTEN, SEND).next(), "LISTEN + send -> SYN-SENT (3.10.2)");
        assertEquals(CLOSED, table.lookup(SYN_SENT, CLOSE).next());
        assertEquals(TcpState.LISTEN, table.lookup(SYN_RECEIVED, RCV_RST_TO_LISTEN).next());
        assertTrue(table.lookup(SYN_RECEIVED, RCV_RST).actions().contains(Action.SIGNAL_REFUSED));
        assertTrue(table.lookup(SYN_SENT, RCV_RST).actions().contains(Action.SIGNAL_REFUSED), "connect to a closed port");
        assertEquals(List.of(Action.SEND_RST_REPLY, Action.COUNT_DROP), table.lookup(CLOSED, RCV_SYN).actions());
    }

    @Test
    void closes() {
        assertEquals(List.of(ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED),
                walk(ESTABLISHED, CLOSE, RCV_ACK_OF_FIN, RCV_FIN, TIME_WAIT_EXPIRED));
        assertEquals(List.of(ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), walk(ESTABLISHED, RCV_FIN, CLOSE, RCV_ACK_OF_FIN));
        // Simultaneous close, and FIN_WAIT_1 straight to TIME_WAIT.
        assertEquals(List.of(FIN_WAIT_1, CLOSING, TIME_WAIT), walk(FIN_WAIT_1, RCV_FIN, RCV_ACK_OF_FIN));
        assertEquals(TIME_WAIT, table.lookup(FIN_WAIT_1, RCV_FIN_ACK_OF_FIN).next());
        assertEquals(FIN_WAIT_1, table.lookup(SYN_RECEIVED, CLOSE).next());
        // Half-close keeps reading; close with unread data resets.
        assertEquals(FIN_WAIT_1, table.lookup(ESTABLISHED, SHUTDOWN_OUTPUT).next());
        assertTrue(table.lookup(FIN_WAIT_2, RECEIVE).isIgnored(), "receive is allowed in FIN-WAIT-2");
        assertTrue(table.lookup(ESTABLISHED, CLOSE_DISCARDING).actions().contains(Action.SEND_RST));
        assertTrue(table.lookup(FIN_WAIT_2, RCV_DATA_AFTER_CLOSE).actions().contains(Action.SEND_RST));
    }

    @Test
    void timeWait() {
        assertEquals(List.of(Action.SEND_ACK, Action.RESTART_TIME_WAIT), table.lookup(TIME_WAIT, RCV_FIN).actions());
        assertEquals(CLOSED, table.lookup(TIME_WAIT, RCV_SYN_REOPEN).next());
        assertTrue(table.lookup(TIME_WAIT, RCV_IGNORABLE).actions().contains(Action.COUNT_DROP), "RFC 1337: RSTs are ignorable");
        assertEquals(CLOSED, table.lookup(TIME_WAIT, RCV_RST).next(), "with RFC 1337 off, RFC 9293 closes");
    }

    @Test
    void aRstIsNeverAnsweredWithARst() {
        for (TcpState s : TcpState.values()) {
            for (TcpEvent e : List.of(RCV_RST, RCV_RST_IN_WINDOW, RCV_RST_TO_LISTEN)) {
                List<Action> actions = table.lookup(s, e).actions();
                assertFalse(actions.contains(Action.SEND_RST) || actions.contains(Action.SEND_RST_REPLY), s + " x " + e);
            }
        }
    }

    @Test
    void leavingAConnectionReleasesItAndTimeWaitIsEnteredProperly() {
        for (TcpState s : TcpState.values()) {
            for (TcpEvent e : TcpEvent.values()) {
                Transition t = table.lookup(s, e);
                if (s != CLOSED && t.next() == CLOSED) {
                    assertTrue(t.actions().contains(Action.RELEASE_TCB) || t.actions().contains(Action.REOPEN_FROM_TIME_WAIT),
                            s + " x " + e + " reaches CLOSED without releasing the connection");
                }
                if (s != TIME_WAIT && t.next() == TIME_WAIT) {
                    assertTrue(t.actions().containsAll(List.of(Action.ARM_TIME_WAIT, Action.ENTER_TIME_WAIT_RECORD)), s + " x " + e);
                }
                if (t.next() != s && s != CLOSED && s != TcpState.LISTEN && t.next() != TcpState.LISTEN
                        && e.kind() == TcpEvent.Kind.SEGMENT && t.next() != CLOSED) {
                    assertFalse(t.actions().contains(Action.COUNT_DROP), "a dropped segment changes no state: " + s + " x " + e);
                }
            }
        }
    }

    @Test
    void everyStateIsReachableFromClosed() {
        EnumSet<TcpState> seen = EnumSet.of(CLOSED);
        ArrayDeque<TcpState> todo = new ArrayDeque<>(List.of(CLOSED));
        while (!todo.isEmpty()) {
            TcpState s = todo.poll();
            for (TcpEvent e : TcpEvent.values()) {
                TcpState next = table.lookup(s, e).next();
                if (seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        assertEquals(EnumSet.allOf(TcpState.class), seen);
    }
}
