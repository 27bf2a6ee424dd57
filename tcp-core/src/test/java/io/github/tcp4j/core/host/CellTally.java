package io.github.tcp4j.core.host;

import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which cells (state, event) of the state machine's table the scenario tests drove, across every
 * host the test fixtures make ({@link TwoHosts}, {@link StackAndPeer} register it with
 * {@link TcpHost#addEventListener}). {@link TableCellCoverageTest} reads it.
 */
final class CellTally {

    private static final Map<TcpState, Set<TcpEvent>> FIRED = Collections.synchronizedMap(new EnumMap<>(TcpState.class));

    private CellTally() {
    }

    /** Registers the tally on {@code host}. */
    static TcpHost watch(TcpHost host) {
        host.addEventListener(CellTally::record);
        return host;
    }

    static void record(TransitionRecord r) {
        FIRED.computeIfAbsent(r.from(), s -> Collections.synchronizedSet(EnumSet.noneOf(TcpEvent.class))).add(r.event());
    }

    static boolean fired(TcpState state, TcpEvent event) {
        Set<TcpEvent> events = FIRED.get(state);
        return events != null && events.contains(event);
    }

    static void clear() {
        FIRED.clear();
    }
}
