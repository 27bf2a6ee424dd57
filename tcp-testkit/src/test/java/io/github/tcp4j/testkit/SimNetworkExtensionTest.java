package io.github.tcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.transport.LinkConfig;
import io.github.tcp4j.core.transport.SimHost;
import io.github.tcp4j.core.transport.SimNetwork;
import io.github.tcp4j.core.wire.IpAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension, run on sample test classes through JUnit's own test kit. */
class SimNetworkExtensionTest {

    static final List<Long> SEEDS = new ArrayList<>();
    static final List<SimNetwork> NETWORKS = new ArrayList<>();

    /** A sample: a fixed seed, a blocking client and server on the network the extension gives. */
    @ExtendWith(SimNetworkExtension.class)
    static class FixedSeedSample {
        @Test
        @Seed(42)
        void usesTheNetwork(SimNetwork net) throws Exception {
            SEEDS.add(net.seed());
            NETWORKS.add(net);
            SimHost a = net.addHost("a", IpAddress.parse("10.0.0.1"));
            SimHost b = net.addHost("b", IpAddress.parse("10.0.0.2"));
            net.link(a, b, LinkConfig.builder().latency(Duration.ofMillis(3)).build());
            try (TcpStack client = TcpStack.builder().simulated(net, a).build();
                    TcpStack server = TcpStack.builder().simulated(net, b).build();
                    TcpServerSocket ss = server.listen(80)) {
                CompletableFuture<TcpSocket> accepted = ss.acceptAsync();
                try (TcpSocket c = client.connect(new InetSocketAddress(b.address().toInetAddress(), 80));
                        TcpSocket s = server.await(accepted, Duration.ofSeconds(1))) {
                    c.getOutputStream().write(1);
                    assertEquals(1, s.getInputStream().read());
                }
            }
        }
    }

    /** A sample that fails, so the extension reports its seed. */
    @ExtendWith(SimNetworkExtension.class)
    static class FailingSample {
        @Test
        void fails(SimNetwork net) {
            SEEDS.add(net.seed());
            throw new AssertionError("deliberate");
        }
    }

    @Test
    void aFixedSeedReachesTheNetworkWhichIsClosedAfterTheTest() {
        SEEDS.clear();
        NETWORKS.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(FixedSeedSample.class)).execute()
                .testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertEquals(List.of(42L), SEEDS);
        assertTrue(NETWORKS.get(0).isClosed(), "the extension closes the network after the test");
    }

    @Test
    void aFailureReportsItsSeedAndTheSystemPropertyReplaysIt() {
        SEEDS.clear();
        EngineExecutionResults first = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingSample.class)).execute();
        first.testEvents().assertStatistics(s -> s.failed(1));
        long seed = SEEDS.get(0);
        List<ReportEntry> reports = first.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow()).toList();
        assertTrue(reports.stream().anyMatch(r -> String.valueOf(seed).equals(r.getKeyValuePairs().get("tcp4j.seed"))),
                reports.toString());

        System.setProperty(SimNetworkExtension.SEED_PROPERTY, Long.toString(seed));
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingSample.class)).execute();
        } finally {
            System.clearProperty(SimNetworkExtension.SEED_PROPERTY);
        }
        assertEquals(List.of(seed, seed), SEEDS, "the property replays the failing seed");
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingSample.class)).execute();
        assertFalse(SEEDS.get(2) == seed && SEEDS.get(2) == 0, "a fresh seed is drawn otherwise");
    }
}
