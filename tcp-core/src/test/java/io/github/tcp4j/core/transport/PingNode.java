package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A timer-driven sender: from {@code firstAtNanos}, every {@code intervalNanos}, it sends one
 * segment (tags 0, 1, 2, ...; payload length varying with the tag) from {@code self} to
 * {@code peer}, until it has sent {@code count}. It sends only from {@link #onTime}, so it
 * exercises the simulator's deadline handling the way a TCP host's timers will. What it receives
 * goes to {@link #recorder()}.
 */
final class PingNode implements SimNode {

    private final SimHost host;
    private final IpAddress self;
    private final IpAddress peer;
    private final int count;
    private final long intervalNanos;
    private final ByteBufAllocator alloc;
    private final Recorder recorder;
    private long nextSendAt;
    private int sent;

    PingNode(SimNetwork network, SimHost host, IpAddress self, IpAddress peer, int count, long firstAtNanos,
            long intervalNanos, ByteBufAllocator alloc) {
        this.host = host;
        this.self = self;
        this.peer = peer;
        this.count = count;
        this.nextSendAt = firstAtNanos;
        this.intervalNanos = intervalNanos;
        this.alloc = alloc;
        this.recorder = new Recorder(network::now);
    }

    @Override
    public long nextDeadline() {
        return sent < count ? nextSendAt : Long.MAX_VALUE;
    }

    @Override
    public void onTime(long nowNanos) {
        while (sent < count && nextSendAt <= nowNanos) {
            host.transport().send(self, peer, TestSegments.segment(alloc, self, peer, sent, (sent * 37) % 300));
            sent++;
            nextSendAt += intervalNanos;
        }
    }

    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
        recorder.receive(source, destination, segment);
    }

    /** What this node received. */
    Recorder recorder() {
        return recorder;
    }

    /** Segments sent so far. */
    int sent() {
        return sent;
    }
}
