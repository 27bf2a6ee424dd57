package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lossless network inside one JVM for real-time stacks: a segment sent to an address is handed
 * at once to the stack that owns the address (which queues it for whichever thread runs it next). No latency,
 * no loss, no reordering: for tests of the API and for benchmarks; fault injection lives in the
 * simulated network. Thread-safe.
 *
 * <h2>Checksum offload</h2>
 * Bytes cannot be corrupted on their way through this network: the buffer a stack sends is the
 * buffer the other stack receives. A network made with {@link #withChecksumOffload()} tells its
 * stacks so ({@link StackTransport#offloadsChecksums()}), and they then neither compute nor verify
 * TCP checksums, as Linux's loopback does. It is off in {@code new InMemoryNetwork()}: the stacks
 * then checksum every segment as on any other network, which costs a pass over every byte on
 * each side.
 *
 * <h2>Payloads by reference</h2>
 * A data segment travels as its header plus a reference to the bytes in the sender's send
 * buffer, which never change once written ({@link SegmentTransport#carriesPayloadByReference()}):
 * the receiver verifies and keeps them where they lie, and the application's read copies them
 * out, so each byte is copied twice (into the send buffer, out to the reader), as by the kernel's
 * loopback. A segment whose payload spans two send-buffer chunks is copied into one buffer.
 */
public final class InMemoryNetwork {

    private final Map<IpAddress, SegmentReceiver> receivers = new ConcurrentHashMap<>();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deliveredByReference = new LongAdder();
    private final LongAdder unroutable = new LongAdder();
    private final boolean checksumOffload;

    /** A network whose stacks compute and verify checksums (the default). */
    public InMemoryNetwork() {
        this(false);
    }

    private InMemoryNetwork(boolean checksumOffload) {
        this.checksumOffload = checksumOffload;
    }

    /**
     * A network whose stacks skip TCP checksums (see the class comment): for benchmarks that want
     * to compare with the kernel's loopback on equal terms. Segments sent on it carry checksum 0.
     */
    public static InMemoryNetwork withChecksumOffload() {
        return new InMemoryNetwork(true);
    }

    /** True if this network's stacks skip checksums. */
    public boolean checksumOffload() {
        return checksumOffload;
    }

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
                return new SegmentTransport() {
                    @Override
                    public void send(IpAddress source, IpAddress destination, ByteBuf segment) {
                        deliver(source, destination, segment);
                    }

                    @Override
                    public boolean carriesPayloadByReference() {
                        return true;
                    }

                    @Override
                    public void send(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index,
                            int length) {
                        deliver(source, destination, header, payload, index, length);
                    }
                };
            }

            @Override
            public void close() {
                own.forEach(receivers::remove);
            }

            @Override
            public boolean offloadsChecksums() {
                return checksumOffload;
            }
        };
    }

    private void deliver(IpAddress source, IpAddress destination, ByteBuf segment) {
        SegmentReceiver r = receivers.get(destination);
        if (r == null) {
            unroutable.increment();
            segment.release();
            return;
        }
        delivered.increment();
        r.receive(source, destination, segment);
    }

    private void deliver(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
        SegmentReceiver r = receivers.get(destination);
        if (r == null) {
            unroutable.increment();
            header.release();
            payload.release();
            return;
        }
        delivered.increment();
        deliveredByReference.increment();
        r.receive(source, destination, header, payload, index, length);
    }

    /** Segments handed to a stack. */
    public long delivered() {
        return delivered.sum();
    }

    /** Of the segments handed to a stack, those whose payload went by reference (see the class comment). */
    public long deliveredByReference() {
        return deliveredByReference.sum();
    }

    /** Segments sent to an address no stack owns (dropped). */
    public long unroutable() {
        return unroutable.sum();
    }
}
