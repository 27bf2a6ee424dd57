package io.github.tcp4j.core.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpStateTest {

    @Test
    void elevenStatesInTheRfcsOrderWithItsNames() {
        assertEquals(List.of("CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
                "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"),
                Arrays.stream(TcpState.values()).map(TcpState::rfcName).toList());
    }

    @Test
    void synchronizedStatesAreEstablishedAndAfter() {
        EnumSet<TcpState> synced = EnumSet.noneOf(TcpState.class);
        for (TcpState s : TcpState.values()) {
            if (s.isSynchronized()) {
                synced.add(s);
            }
        }
        assertEquals(EnumSet.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT,
                TcpState.CLOSING, TcpState.LAST_ACK, TcpState.TIME_WAIT), synced);
    }
}
