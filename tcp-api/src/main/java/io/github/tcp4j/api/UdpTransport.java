package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a stack's segments in UDP datagrams, so two tcp4j stacks in different JVMs or on
 * different machines talk TCP to each other over a real network.
 *
 * <p>Each datagram holds one TCP segment behind a small header: the byte {@code 'T'}, the address
 * length (4 or 16), the source and the destination IP address, then the segment (whose checksum
 * covers those addresses, as the pseudo-header does). To carry whole IPv4 packets instead (a
 * socat bridge from a Linux TUN device), use an {@link Ipv4PacketTransport} over a
 * {@link UdpPacketChannel}.
 *
 * <p>Datagrams go to the configured peer; without one, to the address the last datagram came from
 * (a server waiting for its first client). A datagram that cannot be read (bad header, truncated)
 * is counted in {@link #malformed()} and dropped; a reader thread of its own receives, and
 * whichever thread runs the stack sends (one at a time).
 */
public final class UdpTransport implements StackTransport {

    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    private static final int MAGIC = 'T';

    private final UdpPacketChannel channel;
    private final ByteBufAllocator alloc;
    private Thread reader;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    /**
     * A transport bound to {@code bindAddress} (port 0: any free port) sending to {@code peer}
     * (null: reply to whoever sent last).
     */
    public UdpTransport(InetSocketAddress bindAddress, InetSocketAddress peer) {
        this(bindAddress, peer, ByteBufAllocator.DEFAULT);
    }

    /** As above, with the allocator for datagram buffers. */
    public UdpTransport(InetSocketAddress bindAddress, InetSocketAddress peer, ByteBufAllocator alloc) {
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        this.channel = new UdpPacketChannel(bindAddress, peer, alloc);
    }

    /** The UDP address the transport is bound to (with the port chosen, if 0 was asked for). */
    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public SegmentTransport open(SegmentReceiver inbound) {
        Objects.requireNonNull(inbound, "inbound");
        reader = new Thread(() -> readLoop(inbound), "tcp4j-udp-" + localAddress().getPort());
        reader.setDaemon(true);
        reader.start();
        return this::send;
    }

    private void send(IpAddress source, IpAddress destination, ByteBuf segment) {
        ByteBuf datagram = alloc.ioBuffer(segment.readableBytes() + 2 + 2 * source.byteLength());
        try {
            datagram.writeByte(MAGIC).writeByte(source.byteLength());
            datagram.writeBytes(source.toBytes()).writeBytes(destination.toBytes());
            datagram.writeBytes(segment);
        } finally {
            segment.release();
        }
        try {
            channel.write(datagram); // takes over the datagram
            sent.incrementAndGet();
        } catch (IOException e) {
            LOG.debug("UDP send failed: {}", e.toString());
        }
    }

    private void readLoop(SegmentReceiver inbound) {
        while (true) {
            ByteBuf datagram;
            try {
                datagram = channel.read();
            } catch (IOException e) {
                LOG.warn("UDP receive failed", e);
                return;
            }
            if (datagram == null) {
                return; // closed
            }
            received.incrementAndGet();
            try {
                deliver(datagram, inbound);
            } finally {
                datagram.release();
            }
        }
    }

    /** Unpacks one datagram and hands its segment (a retained slice) to the stack, or counts it as malformed. */
    private void deliver(ByteBuf datagram, SegmentReceiver inbound) {
        int base = datagram.readerIndex();
        int available = datagram.readableBytes();
        if (available < 2 || datagram.getUnsignedByte(base) != MAGIC) {
            malformed.incrementAndGet();
            return;
        }
        int length = datagram.getUnsignedByte(base + 1);
        if (length != 4 && length != 16 || available < 2 + 2 * length) {
            malformed.incrementAndGet();
            return;
        }
        byte[] a = new byte[length];
        datagram.getBytes(base + 2, a);
        IpAddress source = IpAddress.of(a);
        datagram.getBytes(base + 2 + length, a);
        IpAddress destination = IpAddress.of(a);
        inbound.receive(source, destination, datagram.retainedSlice(base + 2 + 2 * length, available - 2 - 2 * length));
    }

    /** Datagrams sent. */
    public long sent() {
        return sent.get();
    }

    /** Datagrams received (malformed ones included). */
    public long received() {
        return received.get();
    }

    /** Datagrams dropped because they could not be read as a framed segment. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the UDP channel: {}", e.toString());
        }
        if (reader != null && reader != Thread.currentThread()) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
