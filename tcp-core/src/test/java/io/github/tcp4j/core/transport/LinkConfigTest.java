package io.github.tcp4j.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkConfigTest {

    @Test
    void theIdealLinkHasNoDelayNoLimitAndNoFaults() {
        LinkConfig ideal = LinkConfig.IDEAL;
        assertEquals(0, ideal.latencyNanos());
        assertEquals(0, ideal.jitterNanos());
        assertEquals(0, ideal.bandwidthBitsPerSecond());
        assertEquals(Integer.MAX_VALUE, ideal.queueLimit());
        assertEquals(0.0, ideal.loss() + ideal.duplication() + ideal.reordering() + ideal.corruption());
        assertEquals(65535, ideal.mtu());
        assertEquals(ideal, LinkConfig.builder().build());
    }

    @Test
    void toBuilderRoundTripsAndDerivesValues() {
        LinkConfig c = LinkConfig.builder().latency(Duration.ofMillis(20)).jitter(Duration.ofMillis(3))
                .bandwidth(10_000_000).queueLimit(50).loss(0.01).duplication(0.02).reordering(0.03)
                .reorderDelay(Duration.ofMillis(4)).corruption(0.001).mtu(1500).build();
        assertEquals(c, c.toBuilder().build());
        assertEquals(c.hashCode(), c.toBuilder().build().hashCode());
        LinkConfig slower = c.toBuilder().latency(Duration.ofMillis(200)).build();
        assertNotEquals(c, slower);
        assertEquals(Duration.ofMillis(20), c.latency(), "the original is unchanged");
        assertEquals(200_000_000L, slower.latencyNanos());
        assertEquals(Duration.ofMillis(4), slower.reorderDelay());
        assertEquals("LinkConfig[latency=PT0.02S, jitter=PT0.003S, bandwidth=10000000bit/s, queue=50, loss=0.01,"
                + " dup=0.02, reorder=0.03 (+PT0.004S), corrupt=0.001, mtu=1500]", c.toString());
        assertTrue(LinkConfig.IDEAL.toString().contains("bandwidth=inf, queue=unbounded"), LinkConfig.IDEAL::toString);
    }

    @Test
    void invalidValuesAreRejected() {
        LinkConfig.Builder b = LinkConfig.builder();
        assertThrows(IllegalArgumentException.class, () -> b.latency(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.jitter(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.bandwidth(-1));
        assertThrows(IllegalArgumentException.class, () -> b.queueLimit(-1));
        assertThrows(IllegalArgumentException.class, () -> b.loss(1.01));
        assertThrows(IllegalArgumentException.class, () -> b.duplication(-0.1));
        assertThrows(IllegalArgumentException.class, () -> b.reordering(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.corruption(2));
        assertThrows(IllegalArgumentException.class, () -> b.reorderDelay(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.mtu(67));
        assertThrows(IllegalArgumentException.class, () -> b.mtu(65536));
        assertEquals(0, b.queueLimit(0).build().queueLimit(), "no waiting room is allowed");
    }
}
