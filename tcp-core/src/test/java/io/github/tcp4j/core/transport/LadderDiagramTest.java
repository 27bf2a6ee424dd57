package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.fsm.TcpEvent;
import io.github.tcp4j.core.fsm.TcpState;
import io.github.tcp4j.core.fsm.TransitionRecord;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LadderDiagramTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Test
    void drawsStatesArrowsAndLosses() {
        try (SimNetwork net = new SimNetwork(1)) {
            SimHost a = net.addHost("a", A);
            SimHost b = net.addHost("b", B);
            SimLink link = net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(10)).build());
            b.attach(new EchoNode(b));
            LadderDiagram ladder = new LadderDiagram("a", A, "b", B).attach(net);
            link.aToB().partition();
            PeerScript peer = PeerScript.attach(net, a, 1000, B, 2000)
                    .then(() -> ladder.onTransition(new TransitionRecord(net.now(), A + ":1000 > " + B + ":2000",
                            TcpState.CLOSED, TcpEvent.CONNECT, TcpState.SYN_SENT, "connect()")))
                    .send(last -> new TcpSegment().flags(TcpFlags.SYN).seq(5))
                    .then(link.aToB()::heal)
                    .advance(Duration.ofSeconds(1))
                    .send(last -> new TcpSegment().flags(TcpFlags.SYN).seq(5))
                    .expectFlags(TcpFlags.SYN)
                    .then(() -> ladder.onTransition(new TransitionRecord(net.now(), B + ":2000 > " + A + ":1000",
                            TcpState.LISTEN, TcpEvent.RCV_SYN, TcpState.SYN_RECEIVED, "SYN")));
            peer.run();
            peer.release();
            String text = ladder.render();
            List<String> lines = text.lines().toList();
            assertEquals(6, lines.size(), text);
            assertTrue(lines.get(0).contains("a 10.0.0.1") && lines.get(0).contains("b 10.0.0.2"), text);
            assertTrue(lines.get(1).trim().startsWith("0.000  SYN_SENT"), text);
            assertTrue(lines.get(2).contains(" SYN seq=5 ") && lines.get(2).endsWith("-X"), "the lost SYN:\n" + text);
            assertTrue(lines.get(3).startsWith("   1.000") && lines.get(3).endsWith(">"), text);
            assertTrue(lines.get(4).contains("<") && lines.get(4).contains("SYN seq=5"), "the echo comes back:\n" + text);
            assertTrue(lines.get(5).endsWith("SYN_RECEIVED") && lines.get(5).indexOf("SYN_RECEIVED") > 50, "right column:\n" + text);
            assertEquals(List.of("SYN seq=5"), ladder.lost());
            assertEquals(3, ladder.segments());
            text.lines().forEach(l -> assertTrue(l.length() <= 80, "fits 80 columns: " + l));
        }
    }
}
