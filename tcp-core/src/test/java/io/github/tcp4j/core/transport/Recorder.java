package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** A node that records (arrival time, tag, bytes) of everything it receives, and releases it. */
final class Recorder implements SimNode {

    /**
     * One segment as seen at {@code time}. Compares by value, so two runs' traces compare with
     * {@code equals}. The tag is meaningless when {@code checksumOk} is false (the flipped bit may
     * be in it).
     */
    record Arrival(long time, IpAddress source, IpAddress destination, int tag, String hex, boolean checksumOk) {

        /** Records {@code segment} (borrowed: not released, indices untouched). */
        static Arrival of(long time, IpAddress source, IpAddress destination, ByteBuf segment) {
            int tag = segment.readableBytes() >= 8 ? TestSegments.tag(segment) : -1;
            return new Arrival(time, source, destination, tag, ByteBufUtil.hexDump(segment),
                    TestSegments.checksumOk(source, destination, segment));
        }
    }

    private final LongSupplier clock;
    final List<Arrival> arrivals = new ArrayList<>();

    Recorder(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
        arrivals.add(Arrival.of(clock.getAsLong(), source, destination, segment));
        segment.release();
    }

    List<Integer> tags() {
        return arrivals.stream().map(Arrival::tag).toList();
    }

    List<Long> times() {
        return arrivals.stream().map(Arrival::time).toList();
    }
}
