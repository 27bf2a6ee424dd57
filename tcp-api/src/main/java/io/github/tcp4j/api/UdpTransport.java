package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a stack's segments in UDP datagrams, so two tcp4j stacks in different JVMs or on
 * different machines talk TCP to each other over a real network, or a Linux TUN device is bridged
 * to a stack with {@code socat TUN:10.77.0.1/24,iff-no-pi,up UDP:127.0.0.1:PORT} (IPv4 framing).
 *
 * <h2>Framings</h2>
 * <ul>
 *   <li>{@link Framing#SEGMENT}: one TCP segment per datagram behind a small header: the byte
 *       {@code 'T'}, the address length (4 or 16), the source and the destination IP address, then
 *       the segment (whose checksum covers those addresses, as the pseudo-header does).</li>
 *   <li>{@link Framing#IPV4}: one whole IPv4 packet per datagram (20-byte header, protocol 6, TTL
 *       64, DF), what a TUN device reads and writes with IFF_NO_PI. Received packets that are not
 *       TCP, are fragments or have a bad header are counted and dropped.</li>
 * </ul>
 *
 * <p>Datagrams go to the configured peer; without one, to the address the last datagram came from
 * (a server waiting for its first client). A datagram that cannot be read (bad header, truncated)
 * is counted in {@link #malformed()} and dropped; a reader thread of its own receives, and
 * whichever thread runs the stack sends (one at a time).
 */
public final class UdpTransport implements StackTransport {

    /** How segments are packed into datagrams. */
    public enum Framing {
        /** A segment behind a small addressing header. */
        SEGMENT,
        /** A whole IPv4 packet, as a TUN device carries it. */
        IPV4
    }

    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    private static final int MAGIC = 'T';
    private static final int MAX_DATAGRAM = 65_535;
    private static final int PROTOCOL_TCP = 6;

    private final Framing framing;
    private final ByteBufAllocator alloc;
    private volatile SocketAddress peer;
    private final boolean fixedPeer;
    private DatagramChannel channel;
    private Thread reader;
    private volatile boolean closed;
    private int identification;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    /**
     * A transport bound to {@code bindAddress} (port 0: any free port) sending to {@code peer}
     * (null: reply to whoever sent last).
     */
    public UdpTransport(InetSocketAddress bindAddress, InetSocketAddress peer, Framing framing) {
        this(bindAddress, peer, framing, ByteBufAllocator.DEFAULT);
    }

    /** As above, with the allocator for datagram buffers. */
    public UdpTransport(InetSocketAddress bindAddress, InetSocketAddress peer, Framing framing, ByteBufAllocator alloc) {
        Objects.requireNonNull(bindAddress, "bindAddress");
        this.peer = peer;
        this.fixedPeer = peer != null;
        this.framing = Objects.requireNonNull(framing, "framing");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        try {
            this.channel = DatagramChannel.open().bind(bindAddress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind UDP " + bindAddress, e);
        }
    }

    /** The UDP address the transport is bound to (with the port chosen, if 0 was asked for). */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        ByteBuf datagram = alloc.buffer(segment.readableBytes() + 40);
        try {
            if (framing == Framing.SEGMENT) {
                datagram.writeByte(MAGIC).writeByte(source.byteLength());
                datagram.writeBytes(source.toBytes()).writeBytes(destination.toBytes());
            } else {
                if (!source.isV4() || !destination.isV4()) {
                    malformed.incrementAndGet(); // an IPv6 segment cannot travel in an IPv4 packet
                    return;
                }
                Ipv4Header.forTcp(source, destination, segment.readableBytes(), identification++ & 0xFFFF).encode(datagram);
            }
            datagram.writeBytes(segment);
            SocketAddress to = peer;
            if (to == null || closed) {
                return; // nobody to send to yet: dropped, as a network would
            }
            channel.send(datagram.nioBuffer(), to);
            sent.incrementAndGet();
        } catch (IOException e) {
            LOG.debug("UDP send failed: {}", e.toString());
        } finally {
            segment.release();
            datagram.release();
        }
    }

    private void readLoop(SegmentReceiver inbound) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        while (!closed) {
            SocketAddress from;
            try {
                buffer.clear();
                from = channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("UDP receive failed", e);
                }
                return;
            }
            buffer.flip();
            received.incrementAndGet();
            if (!fixedPeer) {
                peer = from; // no configured peer: answer whoever sent last
            }
            ByteBuf datagram = alloc.buffer(buffer.remaining());
            datagram.writeBytes(buffer);
            try {
                deliver(datagram, inbound);
            } finally {
                datagram.release();
            }
        }
    }

    /** Unpacks one datagram and hands its segment (a retained slice) to the stack, or counts it as malformed. */
    private void deliver(ByteBuf datagram, SegmentReceiver inbound) {
        IpAddress source;
        IpAddress destination;
        ByteBuf segment;
        if (framing == Framing.SEGMENT) {
            if (datagram.readableBytes() < 2 || datagram.getUnsignedByte(0) != MAGIC) {
                malformed.incrementAndGet();
                return;
            }
            int length = datagram.getUnsignedByte(1);
            if (length != 4 && length != 16 || datagram.readableBytes() < 2 + 2 * length) {
                malformed.incrementAndGet();
                return;
            }
            byte[] a = new byte[length];
            datagram.getBytes(2, a);
            source = IpAddress.of(a);
            datagram.getBytes(2 + length, a);
            destination = IpAddress.of(a);
            segment = datagram.retainedSlice(2 + 2 * length, datagram.readableBytes() - 2 - 2 * length);
        } else {
            try {
                Ipv4Header ip = Ipv4Header.decode(datagram);
                if (ip.protocol() != PROTOCOL_TCP || ip.isFragment()) {
                    malformed.incrementAndGet();
                    return;
                }
                source = ip.source();
                destination = ip.destination();
                segment = ip.payloadSlice(datagram).retain();
            } catch (MalformedPacketException e) {
                malformed.incrementAndGet();
                return;
            }
        }
        inbound.receive(source, destination, segment);
    }

    /** Datagrams sent. */
    public long sent() {
        return sent.get();
    }

    /** Datagrams received (malformed ones included). */
    public long received() {
        return received.get();
    }

    /** Datagrams dropped because they could not be read as a segment of this framing. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        closed = true;
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
