package io.github.tcp4j.api;

import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.transport.SegmentTransport;
import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPv4 layer between a stack and a {@link PacketChannel}: it puts each segment the stack sends
 * into an IPv4 packet, and takes the segments for the stack out of the packets that arrive. Over a
 * Linux TUN device (module tcp-tun), an Android {@code VpnService} descriptor
 * ({@link StreamPacketChannel}) or a socat bridge ({@link UdpPacketChannel}) this is what lets a
 * tcp4j stack talk to the operating system's own TCP.
 *
 * <pre>{@code
 * PacketChannel tun = PacketChannels.open("tun:tcp4j0");          // or a StreamPacketChannel, a UdpPacketChannel
 * IpAddress me = IpAddress.parse("10.77.0.2");
 * TcpStack stack = TcpStack.builder().address("10.77.0.2")
 *         .transport(new Ipv4PacketTransport(tun, me)).build();   // the stack now owns the channel
 * }</pre>
 *
 * <h2>Sending</h2>
 * Each segment gets a 20-byte header (RFC 791): TTL 64, DF set, protocol 6, a header checksum, an
 * identification counting up. TCP segments are written from the stack's thread.
 *
 * <h2>Receiving</h2>
 * A reader thread of its own reads packets and checks them, in this order, counting every drop
 * (the segments that pass go to the stack's thread in batches: everything that queued up while the
 * reader was busy, one task per batch):
 * <ol>
 *   <li>the header (RFC 791, RFC 1122 3.2.1.1-3.2.1.2: version 4, header and total length, header
 *       checksum): {@link #malformed()} (IPv6 packets: {@link #unsupported()});</li>
 *   <li>the source address (RFC 1122 3.2.1.3: never 0/8, 127/8, multicast or 240/4):
 *       {@link #invalidSource()};</li>
 *   <li>the destination, which must be one of the stack's addresses: {@link #notLocal()};</li>
 *   <li>fragments, which tcp4j does not reassemble, short of RFC 1122 3.3.2 (it sends with DF, and
 *       a peer's TCP sizes its segments to the path by MSS and DF, so TCP rarely meets
 *       fragments): {@link #fragments()};</li>
 *   <li>the protocol: TCP goes to the stack (which checks the TCP checksum); an ICMP echo request
 *       is answered with an echo reply (RFC 792; the reply is written from the reader thread), so
 *       {@code ping} works (an ICMP message with a bad checksum is {@link #malformed()}); anything
 *       else is {@link #unsupported()}.</li>
 * </ol>
 * The TTL of an arriving packet is not checked: a host must not drop a packet for a TTL below 2
 * (RFC 1122 3.2.1.7). Bytes after the total length (link padding) are ignored.
 *
 * <h2>Ownership</h2>
 * The transport owns the channel: {@link #close()} (called by the stack when it closes) closes it.
 * A packet read is released by the transport, except a TCP one: that buffer itself, its indices
 * narrowed to the segment, is handed to the stack, which releases it.
 */
public final class Ipv4PacketTransport implements StackTransport {

    private static final Logger LOG = LoggerFactory.getLogger(Ipv4PacketTransport.class);
    /** The most packets the reader hands to the stack's thread in one task. */
    static final int MAX_BATCH = 64;

    private final PacketChannel channel;
    private final ByteBufAllocator alloc;
    private final List<IpAddress> local;
    private final AtomicInteger identification = new AtomicInteger();
    private Thread reader;
    private volatile boolean closed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong invalidSource = new AtomicLong();
    private final AtomicLong notLocal = new AtomicLong();
    private final AtomicLong fragments = new AtomicLong();
    private final AtomicLong unsupported = new AtomicLong();
    private final AtomicLong echoReplies = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();

    /**
     * The IPv4 layer over {@code channel} for a stack owning {@code localAddresses} (the same
     * addresses as the stack's), with Netty's default allocator.
     */
    public Ipv4PacketTransport(PacketChannel channel, IpAddress... localAddresses) {
        this(channel, ByteBufAllocator.DEFAULT, List.of(localAddresses));
    }

    /**
     * The IPv4 layer over {@code channel} for a stack owning {@code localAddresses}.
     *
     * @param alloc where the packets it sends come from
     * @throws IllegalArgumentException if there is no address, or one is not IPv4
     */
    public Ipv4PacketTransport(PacketChannel channel, ByteBufAllocator alloc, List<IpAddress> localAddresses) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        this.local = List.copyOf(localAddresses);
        if (local.isEmpty()) {
            throw new IllegalArgumentException("an IPv4 transport needs at least one local address");
        }
        for (IpAddress a : local) {
            if (!a.isV4()) {
                throw new IllegalArgumentException("not an IPv4 address: " + a);
            }
        }
    }

    /** Connects a receiver that takes segments on any thread: the reader thread hands each one over as it comes. */
    @Override
    public SegmentTransport open(SegmentReceiver inbound) {
        Objects.requireNonNull(inbound, "inbound");
        return open(inbound, Runnable::run);
    }

    /**
     * Connects the stack (what {@link TcpStack} calls): the reader thread takes every packet that
     * has queued up (up to {@value #MAX_BATCH}, through {@link PacketChannel#tryRead()}), checks
     * them, and hands the segments to the stack's thread as one task, so under load the stack's
     * thread wakes once per batch rather than once per packet.
     */
    @Override
    public SegmentTransport open(SegmentReceiver onStackThread, Executor stackThread) {
        Objects.requireNonNull(onStackThread, "onStackThread");
        Objects.requireNonNull(stackThread, "stackThread");
        if (reader != null) {
            throw new IllegalStateException("already open");
        }
        reader = new Thread(() -> readLoop(onStackThread, stackThread), "tcp4j-ipv4-" + local.get(0));
        reader.setDaemon(true);
        reader.start();
        return this::send;
    }

    // ------------------------------------------------------------------ sending

    private void send(IpAddress source, IpAddress destination, ByteBuf segment) {
        ByteBuf packet;
        try {
            if (!source.isV4() || !destination.isV4()) {
                sendErrors.incrementAndGet(); // an IPv6 segment cannot travel in an IPv4 packet
                return;
            }
            int length = segment.readableBytes();
            packet = alloc.ioBuffer(Ipv4Header.MIN_LENGTH + length);
            // RFC 791 3.1; RFC 1122 3.2.1.7: TTL 64, never 0
            Ipv4Header.forTcp(source, destination, length, nextIdentification()).encode(packet);
            packet.writeBytes(segment, segment.readerIndex(), length);
        } finally {
            segment.release();
        }
        write(packet);
    }

    private int nextIdentification() {
        return identification.getAndIncrement() & 0xFFFF;
    }

    /** Hands {@code packet} to the channel, which releases it. */
    private void write(ByteBuf packet) {
        try {
            channel.write(packet);
            sent.incrementAndGet();
        } catch (IOException e) {
            sendErrors.incrementAndGet();
            LOG.debug("writing a packet failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ receiving

    private void readLoop(SegmentReceiver onStackThread, Executor stackThread) {
        try {
            while (true) {
                ByteBuf packet = channel.read();
                if (packet == null) {
                    return; // closed, or the stream ended
                }
                Batch batch = new Batch();
                int n = 0;
                do {
                    received.incrementAndGet();
                    boolean handedOver = false;
                    try {
                        handedOver = deliver(packet, batch);
                    } finally {
                        if (!handedOver) {
                            packet.release();
                        }
                    }
                } while (++n < MAX_BATCH && (packet = channel.tryRead()) != null);
                if (batch.size > 0) {
                    try {
                        stackThread.execute(() -> batch.handTo(onStackThread));
                    } catch (RejectedExecutionException closedStack) {
                        batch.release();
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("reading from the packet channel failed; the transport stops receiving", e);
            }
        }
    }

    /** Segments checked on the reader thread, waiting to be handed to the stack on its thread. */
    private static final class Batch implements SegmentReceiver {
        private final IpAddress[] sources = new IpAddress[MAX_BATCH];
        private final IpAddress[] destinations = new IpAddress[MAX_BATCH];
        private final ByteBuf[] segments = new ByteBuf[MAX_BATCH];
        private int size;

        @Override
        public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
            sources[size] = source;
            destinations[size] = destination;
            segments[size++] = segment;
        }

        /** Hands every segment to {@code stack} (which releases each); should it throw, releases the rest. */
        void handTo(SegmentReceiver stack) {
            int i = 0;
            try {
                for (; i < size; i++) {
                    ByteBuf segment = segments[i];
                    segments[i] = null;
                    stack.receive(sources[i], destinations[i], segment);
                }
            } finally {
                for (i++; i < size; i++) {
                    segments[i].release();
                    segments[i] = null;
                }
            }
        }

        void release() {
            for (int i = 0; i < size; i++) {
                if (segments[i] != null) {
                    segments[i].release();
                    segments[i] = null;
                }
            }
        }
    }

    /**
     * Checks one packet (which the caller owns) and passes its segment to the stack, answers it
     * (echo), or counts its drop.
     *
     * @return true if the packet was handed to the stack (its indices narrowed to the segment),
     *     which then owns it; false if the caller still owns it
     */
    boolean deliver(ByteBuf packet, SegmentReceiver inbound) {
        if (packet.isReadable() && packet.getUnsignedByte(packet.readerIndex()) >>> 4 == 6) {
            unsupported.incrementAndGet(); // IPv6 (a TUN device passes the kernel's IPv6 too): not this transport's
            return false;
        }
        Ipv4Header ip;
        try {
            ip = Ipv4Header.decode(packet); // RFC 791, RFC 1122 3.2.1.1-3.2.1.2: version, lengths, checksum
        } catch (MalformedPacketException e) {
            malformed.incrementAndGet();
            LOG.debug("dropped a malformed IPv4 packet: {}", e.getMessage());
            return false;
        }
        if (!validSource(ip.source())) {
            invalidSource.incrementAndGet(); // RFC 1122 3.2.1.3: silently discard
            return false;
        }
        if (!local.contains(ip.destination())) {
            notLocal.incrementAndGet(); // RFC 1122 3.2.1.3: a host is not a router
            return false;
        }
        if (ip.isFragment()) {
            fragments.incrementAndGet(); // RFC 1122 3.3.2 asks for reassembly (RFC 791 3.2); tcp4j drops and counts
            return false;
        }
        if (ip.protocol() == Checksum.PROTOCOL_TCP) {
            int start = packet.readerIndex() + ip.headerLength();
            packet.setIndex(start, start + ip.payloadLength()); // the segment, without a slice or a retain
            inbound.receive(ip.source(), ip.destination(), packet);
            return true;
        }
        ByteBuf payload = ip.payloadSlice(packet);
        if (ip.protocol() != IcmpEcho.PROTOCOL_ICMP) {
            unsupported.incrementAndGet();
        } else if (!IcmpEcho.isIntact(payload)) {
            malformed.incrementAndGet(); // RFC 792: a message whose checksum fails is not one
        } else if (IcmpEcho.isEchoRequest(payload)) {
            // RFC 1122 3.2.2.6: every host answers echo requests
            write(IcmpEcho.reply(alloc, ip.destination(), ip.source(), payload, nextIdentification()));
            echoReplies.incrementAndGet();
        } else {
            unsupported.incrementAndGet(); // RFC 1122 3.2.2: other ICMP messages are not ours to act on here
        }
        return false;
    }

    /** RFC 1122 3.2.1.3: a source that is "this network" (0/8), loopback (127/8), multicast or reserved/broadcast (240/4) is invalid. */
    private static boolean validSource(IpAddress source) {
        int first = source.v4Bits() >>> 24;
        return first != 0 && first != 127 && first < 224;
    }

    // ------------------------------------------------------------------ counters

    /** Packets read from the channel (all of them, dropped ones included). */
    public long received() {
        return received.get();
    }

    /** Packets written to the channel: segments and echo replies. */
    public long sent() {
        return sent.get();
    }

    /** Packets dropped because their IPv4 header failed a check (too short, version, lengths, checksum), or their ICMP message did. */
    public long malformed() {
        return malformed.get();
    }

    /** Packets dropped because their source address cannot be a host's (RFC 1122 3.2.1.3). */
    public long invalidSource() {
        return invalidSource.get();
    }

    /** Packets dropped because they were addressed to none of the stack's addresses. */
    public long notLocal() {
        return notLocal.get();
    }

    /** Fragments dropped (tcp4j does not reassemble IP fragments). */
    public long fragments() {
        return fragments.get();
    }

    /** Packets dropped because they were IPv6, or neither TCP nor an ICMP echo request. */
    public long unsupported() {
        return unsupported.get();
    }

    /** ICMP echo replies sent. */
    public long echoReplies() {
        return echoReplies.get();
    }

    /** Packets the channel refused (or IPv6 segments, which cannot be sent here): lost, as on a network. */
    public long sendErrors() {
        return sendErrors.get();
    }

    /** The counters in one line, for logs. */
    @Override
    public String toString() {
        return "Ipv4PacketTransport" + local + " received=" + received + " sent=" + sent + " malformed=" + malformed
                + " invalidSource=" + invalidSource + " notLocal=" + notLocal + " fragments=" + fragments
                + " unsupported=" + unsupported + " echoReplies=" + echoReplies + " sendErrors=" + sendErrors;
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the packet channel: {}", e.toString());
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
