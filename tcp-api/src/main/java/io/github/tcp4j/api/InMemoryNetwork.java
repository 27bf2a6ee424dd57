package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lossless network inside one JVM for real-time stacks: a segment sent to an address is handed
 * at once to the stack that owns the address (which queues it for its own thread). No latency,
 * no loss, no reordering: for tests of the API and for benchmarks; fault injection lives in the
 * simulated network. Thread-safe.
 */
public final class InMemoryNetwork {

    private final Map<IpAddress, SegmentReceiver> receivers = new ConcurrentHashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong unroutable = new AtomicLong();

    /** A transport for a stack owning {@code addresses}. */
    public StackTransport endpoint(IpAddress... addresses) {
        List<IpAddress> own = List.of(addresses);
        return new StackTransport() {
            @Override
            public SegmentTransport open(SegmentReceiver inbound) {
                for (IpAddress a : own) {
                    if (receivers.putIfAbsent(a, inbound) != null) {
                        throw new IllegalStateException(a + " is already on this network");
                    }
                }
                return InMemoryNetwork.this::deliver;
            }

            @Override
            public void close() {
                own.forEach(receivers::remove);
            }
        };
    }

    private void deliver(IpAddress source, IpAddress destination, ByteBuf segment) {
        SegmentReceiver r = receivers.get(destination);
        if (r == null) {
            unroutable.incrementAndGet();
            segment.release();
            return;
        }
        delivered.incrementAndGet();
        r.receive(source, destination, segment);
    }

    /** Segments handed to a stack. */
    public long delivered() {
        return delivered.get();
    }

    /** Segments sent to an address no stack owns (dropped). */
    public long unroutable() {
        return unroutable.get();
    }
}
