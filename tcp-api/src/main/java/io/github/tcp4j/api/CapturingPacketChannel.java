package io.github.tcp4j.api;

import io.github.tcp4j.core.pcap.PcapWriter;
import io.github.tcp4j.core.timer.Clock;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link PacketChannel} wrapper that records every packet read and written into a pcap file
 * (a {@link PcapWriter}), for tcpdump, tshark or Wireshark. Wrapped around a TUN device it shows
 * what the kernel saw; wrapped inside a {@link FaultInjectingPacketChannel}, what the stack sent
 * before the faults.
 *
 * <p>A packet written is recorded before it is handed on; a packet read, before it is returned.
 * Timestamps are wall-clock time (the epoch at construction plus the monotonic clock since), so
 * the capture lines up with other captures of the machine. The channel owns the writer and closes
 * it with itself; a failure to write the capture ({@link UncheckedIOException}) stops the
 * capture, not the traffic.
 */
public final class CapturingPacketChannel implements PacketChannel {

    private final PacketChannel inner;
    private final PcapWriter pcap;
    private volatile boolean capturing = true;

    /** Wraps {@code inner} (owned from now on), recording into {@code pcap} (owned too). */
    public CapturingPacketChannel(PacketChannel inner, PcapWriter pcap) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.pcap = Objects.requireNonNull(pcap, "pcap");
    }

    /** A clock for {@link PcapWriter} whose readings are nanoseconds since the epoch. */
    public static Clock wallClock() {
        Instant start = Instant.now();
        long startEpochNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
        long startNanoTime = System.nanoTime();
        return () -> startEpochNanos + (System.nanoTime() - startNanoTime);
    }

    @Override
    public ByteBuf read() throws IOException {
        ByteBuf packet = inner.read();
        if (packet != null) {
            record(packet);
        }
        return packet;
    }

    @Override
    public ByteBuf tryRead() throws IOException {
        ByteBuf packet = inner.tryRead();
        if (packet != null) {
            record(packet);
        }
        return packet;
    }

    @Override
    public void write(ByteBuf packet) throws IOException {
        record(packet);
        inner.write(packet);
    }

    private void record(ByteBuf packet) {
        if (!capturing) {
            return;
        }
        synchronized (pcap) {
            try {
                pcap.writeIpPacket(packet);
            } catch (UncheckedIOException e) {
                capturing = false;
            }
        }
    }

    /** Packets recorded so far. */
    public long packetsRecorded() {
        synchronized (pcap) {
            return pcap.packetsWritten();
        }
    }

    /** Closes the wrapped channel and the capture. */
    @Override
    public void close() throws IOException {
        try {
            inner.close();
        } finally {
            synchronized (pcap) {
                capturing = false;
                pcap.close();
            }
        }
    }
}
