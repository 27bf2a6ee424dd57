package io.github.tcp4j.api;

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

/**
 * A {@link PacketChannel} over a UDP socket: one datagram is one packet. With whole IPv4 packets
 * inside, this is the other end of a socat bridge from a Linux TUN device
 * ({@code socat TUN:10.77.0.1/24,iff-no-pi,up UDP-DATAGRAM:127.0.0.1:PORT,bind=127.0.0.1:PEERPORT};
 * {@code UDP-DATAGRAM} rather than {@code UDP}, whose connected socket makes socat quit on the
 * first "port unreachable" while this side is not up yet), so a stack can meet the kernel without
 * JDK 22 or root in the Java process; {@link UdpTransport} uses it for its own
 * segment framing between two tcp4j stacks.
 *
 * <p>Packets go to the configured peer; without one, to the address the last datagram came from
 * (a server waiting for its first client), and are dropped until a datagram has come.
 */
public final class UdpPacketChannel implements PacketChannel {

    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramChannel channel;
    private final ByteBufAllocator alloc;
    private final boolean fixedPeer;
    private final ByteBuffer readScratch = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private volatile SocketAddress peer;
    private volatile boolean closed;

    /**
     * A channel bound to {@code bindAddress} (port 0: any free port) sending to {@code peer}
     * (null: to whoever sent last), with Netty's default allocator.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public UdpPacketChannel(InetSocketAddress bindAddress, InetSocketAddress peer) {
        this(bindAddress, peer, ByteBufAllocator.DEFAULT);
    }

    /** As above, with the allocator for the packets {@link #read()} returns. */
    public UdpPacketChannel(InetSocketAddress bindAddress, InetSocketAddress peer, ByteBufAllocator alloc) {
        Objects.requireNonNull(bindAddress, "bindAddress");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        this.peer = peer;
        this.fixedPeer = peer != null;
        try {
            this.channel = DatagramChannel.open().bind(bindAddress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind UDP " + bindAddress, e);
        }
    }

    /** The UDP address the channel is bound to (with the port chosen, if 0 was asked for). */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ByteBuf read() throws IOException {
        SocketAddress from;
        try {
            readScratch.clear();
            from = channel.receive(readScratch);
        } catch (ClosedChannelException e) { // AsynchronousCloseException too: closed under the read
            return null;
        }
        if (from == null) {
            return null; // only a non-blocking channel returns null; ours is blocking
        }
        if (!fixedPeer) {
            peer = from; // no configured peer: answer whoever sent last
        }
        readScratch.flip();
        ByteBuf packet = alloc.buffer(readScratch.remaining());
        packet.writeBytes(readScratch);
        return packet;
    }

    @Override
    public void write(ByteBuf packet) throws IOException {
        try {
            SocketAddress to = peer;
            if (to == null || closed) {
                return; // nobody to send to yet: dropped, as a network would
            }
            channel.send(packet.nioBuffer(), to);
        } catch (ClosedChannelException e) {
            // closed under the write: dropped
        } finally {
            packet.release();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }
}
