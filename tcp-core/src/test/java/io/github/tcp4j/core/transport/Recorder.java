package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** A node that records (arrival time, tag, bytes) of everything it receives, and releases it. */
final class Recorder implements SimNode {

    record Arrival(long time, IpAddress source, IpAddress destination, int tag, String hex) {
    }

    private final LongSupplier clock;
    final List<Arrival> arrivals = new ArrayList<>();

    Recorder(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
        arrivals.add(new Arrival(clock.getAsLong(), source, destination, TestSegments.tag(segment), ByteBufUtil.hexDump(segment)));
        segment.release();
    }

    List<Integer> tags() {
        return arrivals.stream().map(Arrival::tag).toList();
    }

    List<Long> times() {
        return arrivals.stream().map(Arrival::time).toList();
    }
}
