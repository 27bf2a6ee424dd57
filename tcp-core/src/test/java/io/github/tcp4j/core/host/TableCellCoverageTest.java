package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.ClassNameFilter.excludeClassNamePatterns;
import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import io.github.tcp4j.core.fsm.Action;
import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.Transition;
import io.github.tcp4j.core.fsm.TransitionTable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Every cell of the state machine's table that changes the state or sends a segment is driven by
 * at least one scenario test on the simulated network (issue 3, section 7). This test runs the
 * scenario tests of this package (with a tally of the cells each host fired), then lists every
 * such cell that none reached. The cells that cannot be reached today are listed below with the
 * reason, so that one that becomes reachable (or a new cell) fails this test until a scenario
 * covers it.
 */
class TableCellCoverageTest {

    private static final Set<Action> SENDS = EnumSet.of(Action.SEND_SYN, Action.SEND_SYN_ACK, Action.SEND_ACK, Action.SEND_DUP_ACK,
            Action.SEND_CHALLENGE_ACK, Action.SEND_FIN, Action.SEND_RST_REPLY, Action.SEND_RST);

    /** Events no engine code raises yet (none now: keep-alive and the RFC 5482 user timeout run too). */
    private static final Set<TcpEvent> NOT_YET_RAISED = EnumSet.noneOf(TcpEvent.class);

    /**
     * Cells whose event the classifier or the timers cannot produce in that state (for instance a
     * RST in CLOSED is never answered, no data is outstanding in FIN-WAIT-2), each with its reason.
     */
    private static final Map<String, String> UNREACHABLE = unreachable();

    private static Map<String, String> unreachable() {
        Map<String, String> m = new java.util.HashMap<>();
        for (TcpEvent e : List.of(TcpEvent.RCV_SYN_ACK, TcpEvent.RCV_SYN_REOPEN, TcpEvent.RCV_ACK_OF_FIN, TcpEvent.RCV_FIN,
                TcpEvent.RCV_FIN_ACK_OF_FIN, TcpEvent.RCV_DATA_AFTER_CLOSE, TcpEvent.RCV_BAD_ACK, TcpEvent.RCV_UNACCEPTABLE)) {
            m.put("CLOSED x " + e, "in CLOSED the classifier (3.10.7.1) yields only RST, ACK, SYN or other");
        }
        m.put("LISTEN x CLOSE_DISCARDING", "a listener holds no received data");
        m.put("SYN_SENT x CLOSE_DISCARDING", "no data is delivered before the handshake completes");
        m.put("SYN_RECEIVED x CLOSE_DISCARDING", "no data is delivered before the handshake completes");
        m.put("FIN_WAIT_2 x RETRANSMIT_GIVE_UP", "our FIN is acknowledged, so nothing is outstanding");
        m.put("FIN_WAIT_2 x USER_TIMEOUT", "our FIN is acknowledged, so nothing is outstanding");
        m.put("FIN_WAIT_1 x KEEPALIVE_GIVE_UP", "our FIN is outstanding: retransmission, not keep-alive, watches the peer");
        m.put("TIME_WAIT x RCV_FIN_ACK_OF_FIN", "in TIME-WAIT our FIN is acknowledged already, so no FIN newly acknowledges it");
        return m;
    }

    @Test
    void everyCellThatChangesStateOrSendsIsDrivenByAScenario() {
        CellTally.clear();
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false).build());
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(getClass().getPackageName()))
                .filters(includeClassNamePatterns(".*Test"), excludeClassNamePatterns(".*TableCellCoverageTest"))
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        TestExecutionSummary s = summary.getSummary();
        assertEquals(0, s.getTotalFailureCount(), "the scenario tests themselves must pass first");
        assertTrue(s.getTestsSucceededCount() > 20, "the scenario tests ran: " + s.getTestsSucceededCount());

        TransitionTable table = TransitionTable.standard();
        List<String> missing = new ArrayList<>();
        for (TcpState state : TcpState.values()) {
            for (TcpEvent event : TcpEvent.values()) {
                Transition t = table.lookup(state, event);
                boolean active = t.next() != state || t.actions().stream().anyMatch(SENDS::contains);
                String cell = state + " x " + event;
                if (active && !NOT_YET_RAISED.contains(event) && !UNREACHABLE.containsKey(cell) && !CellTally.fired(state, event)) {
                    missing.add(cell + " -> " + t.next() + " " + t.actions());
                }
            }
        }
        assertTrue(missing.isEmpty(), missing.size() + " cells no scenario drives:\n  " + String.join("\n  ", missing));
    }
}
