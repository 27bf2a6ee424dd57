package io.github.tcp4j.core.transport;

import static io.github.tcp4j.core.wire.TcpFlags.ACK;
import static io.github.tcp4j.core.wire.TcpFlags.PSH;
import static io.github.tcp4j.core.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PeerScriptTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    private SimNetwork net;
    private SimHost scripted;
    private SimHost echo;

    @BeforeEach
    void setUp() {
        net = new SimNetwork(3);
        scripted = net.addHost("peer", A);
        echo = net.addHost("echo", B);
        net.link(scripted, echo, LinkConfig.builder().latency(Duration.ofMillis(5)).build());
        echo.attach(new EchoNode(echo));
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    @Test
    void aScriptSendsExpectsAndUsesWhatItReceived() {
        List<Long> marks = new ArrayList<>();
        PeerScript peer = PeerScript.attach(net, scripted, 40000, B, 80)
                .send(last -> new TcpSegment().flags(SYN).seq(100).window(1000))
                .expect("the SYN echoed back, ports swapped", s -> s.has(SYN) && s.seq() == 100 && s.sourcePort() == 80)
                .send(last -> new TcpSegment().flags(ACK | PSH).seq(last.seq() + 1).ack(7)
                        .payload(Unpooled.wrappedBuffer("hi".getBytes())))
                .expect("the data echoed", s -> s.seq() == 101 && s.payloadLength() == 2)
                .then(() -> marks.add(net.now()))
                .expectNothing(Duration.ofSeconds(1))
                .advance(Duration.ofSeconds(2));
        peer.run();
        peer.release();
        assertEquals(List.of(20_000_000L), marks, "two round trips of 2 x 5 ms");
        assertEquals(3_020_000_000L, net.now());
        assertEquals(4, peer.transcript().size());
        assertTrue(peer.transcript().get(1).contains("<<< 80 > 40000 [SYN]"), peer.transcript().toString());
    }

    @Test
    void failuresSayWhatWasExpectedAndWhatCame() {
        PeerScript wrong = PeerScript.attach(net, scripted, 40000, B, 80)
                .send(last -> new TcpSegment().flags(SYN).seq(1))
                .expectFlags(SYN | ACK);
        PeerScript.ScriptFailure e = assertThrows(PeerScript.ScriptFailure.class, wrong::run);
        assertTrue(e.getMessage().contains("expected [SYN,ACK], got 80 > 40000 [SYN] seq=1"), e.getMessage());
        assertTrue(e.getMessage().contains(">>> 40000 > 80 [SYN]"), "the transcript is included");
        wrong.release();

        PeerScript silent = PeerScript.attach(net, scripted, 40000, B, 80)
                .expect("anything", s -> true, Duration.ofMillis(300));
        e = assertThrows(PeerScript.ScriptFailure.class, silent::run);
        assertTrue(e.getMessage().contains("within PT0.3S, nothing arrived"), e.getMessage());

        PeerScript chatty = PeerScript.attach(net, scripted, 40000, B, 80)
                .send(last -> new TcpSegment().flags(ACK).seq(1))
                .expectNothing(Duration.ofSeconds(1));
        e = assertThrows(PeerScript.ScriptFailure.class, chatty::run);
        assertTrue(e.getMessage().startsWith("expected nothing for PT1S, got 80 > 40000 [ACK]"), e.getMessage());
        chatty.release();
    }

    @Test
    void corruptedSegmentsAreCountedNotDelivered() {
        net.direction(echo, scripted).config(LinkConfig.builder().corruption(1.0).build());
        PeerScript peer = PeerScript.attach(net, scripted, 40000, B, 80)
                .send(last -> new TcpSegment().flags(ACK).seq(1))
                .expectNothing(Duration.ofSeconds(1));
        peer.run();
        assertEquals(1, peer.corruptedReceived());
        assertTrue(peer.transcript().get(1).contains("malformed"), peer.transcript().toString());
    }
}
