package io.github.tcp4j.core.transport;

import static io.github.tcp4j.core.transport.TestSegments.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tcp4j.core.wire.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropTapTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Test
    void everyDropIsShownWithItsCauseAndMatchesTheCounters() {
        List<DropTap.Cause> causes = new ArrayList<>();
        List<Integer> tags = new ArrayList<>();
        SimNetwork net = new SimNetwork(11);
        SimHost a = net.addHost("a", A);
        SimHost b = net.addHost("b", B);
        SimLink link = net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(1)).mtu(100).build());
        net.addDropTap((src, dst, seg, cause) -> {
            causes.add(cause);
            tags.add(TestSegments.tag(seg));
        });
        a.transport().send(A, IpAddress.parse("10.9.9.9"), segment(A, IpAddress.parse("10.9.9.9"), 1, 0));
        a.transport().send(A, B, segment(A, B, 2, 200));            // too big for MTU 100
        a.transport().send(A, B, segment(A, B, 3, 0));              // no node attached at b: dropped on arrival
        link.aToB().partition();
        a.transport().send(A, B, segment(A, B, 4, 0));
        link.aToB().heal();
        net.direction(a, b).config(net.direction(a, b).config().toBuilder().loss(1.0).build());
        a.transport().send(A, B, segment(A, B, 5, 0));
        net.direction(a, b).config(net.direction(a, b).config().toBuilder().loss(0).latency(Duration.ofSeconds(5)).build());
        a.transport().send(A, B, segment(A, B, 6, 0));              // still travelling at close
        net.advance(Duration.ofMillis(10));
        net.close();
        assertEquals(List.of(DropTap.Cause.UNROUTABLE, DropTap.Cause.TOO_BIG, DropTap.Cause.PARTITION, DropTap.Cause.LOSS,
                DropTap.Cause.NO_RECEIVER, DropTap.Cause.NETWORK_CLOSED), causes);
        assertEquals(List.of(1, 2, 4, 5, 3, 6), tags);
        LinkStats s = link.aToB().stats();
        assertEquals(s.dropped(), causes.size() - 1, "all but the unroutable one are counted on the link: " + s);
    }
}
