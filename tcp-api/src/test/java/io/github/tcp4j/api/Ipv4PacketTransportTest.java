package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.api.FaultInjectingPacketChannel.Faults;
import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The IPv4 layer over a packet channel: wrapping, unwrapping, ping, and every counted drop. */
@Timeout(60)
class Ipv4PacketTransportTest {

    private static final IpAddress A = IpAddress.parse("10.9.0.1");
    private static final IpAddress B = IpAddress.parse("10.9.0.2");

    @Test
    void twoStacksTalkThroughIpv4Packets() throws Exception {
        PacketPipe pipe = new PacketPipe();
        Ipv4PacketTransport ta = new Ipv4PacketTransport(pipe.a, A);
        Ipv4PacketTransport tb = new Ipv4PacketTransport(pipe.b, B);
        assertTransfer(ta, tb, 200_000);
        assertEquals(0, tb.malformed() + tb.notLocal() + tb.fragments() + tb.unsupported() + tb.invalidSource());
        assertTrue(tb.received() > 100 && ta.sent() > 100, "segments went as packets: " + ta + " / " + tb);
    }

    @Test
    void twoStacksTalkThroughLossDuplicationAndReordering() throws Exception {
        PacketPipe pipe = new PacketPipe();
        Faults faults = new Faults(0.03, 0.02, 0.02);
        FaultInjectingPacketChannel fa = new FaultInjectingPacketChannel(pipe.a, 11, faults, faults);
        FaultInjectingPacketChannel fb = new FaultInjectingPacketChannel(pipe.b, 12, faults, faults);
        assertTransfer(new Ipv4PacketTransport(fa, A), new Ipv4PacketTransport(fb, B), 100_000);
        long lost = fa.droppedInbound() + fa.droppedOutbound() + fb.droppedInbound() + fb.droppedOutbound();
        assertTrue(lost > 0, "some packets were lost: " + fa + " / " + fb);
    }

    /** A client at A sends {@code size} bytes to a server at B, which echoes them back; both close. */
    private static void assertTransfer(StackTransport ta, StackTransport tb, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TcpStack a = TcpStack.builder().name("a").address("10.9.0.1").transport(ta).build();
                TcpStack b = TcpStack.builder().name("b").address("10.9.0.2").transport(tb).build();
                TcpServerSocket listener = b.listen(7)) {
            Future<?> echo = pool.submit(() -> {
                try (TcpSocket s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                }
                return null;
            });
            try (TcpSocket c = a.connect(new InetSocketAddress(B.toInetAddress(), 7))) {
                CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.getInputStream().readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                c.getOutputStream().write(data);
                c.shutdownOutput();
                assertArrayEquals(data, back.get(50, TimeUnit.SECONDS));
            }
            echo.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void segmentsLeaveAsIpv4PacketsWithTtl64DfAndGoodChecksums() throws Exception {
        PacketPipe pipe = new PacketPipe();
        try (TcpStack stack = TcpStack.builder().address("10.9.0.1").transport(new Ipv4PacketTransport(pipe.a, A)).build()) {
            stack.connectAsync(new InetSocketAddress(B.toInetAddress(), 80));
            ByteBuf packet = pipe.b.read();
            try {
                Ipv4Header ip = Ipv4Header.decode(packet); // checks the header checksum
                assertEquals(20, ip.headerLength());
                assertEquals(64, ip.ttl());
                assertTrue(ip.dontFragment());
                assertFalse(ip.isFragment());
                assertEquals(Checksum.PROTOCOL_TCP, ip.protocol());
                assertEquals(A, ip.source());
                assertEquals(B, ip.destination());
                assertEquals(packet.readableBytes(), ip.totalLength());
                TcpSegment syn = TcpCodec.decode(ip.payloadSlice(packet), A, B); // checks the TCP checksum
                assertTrue(syn.has(TcpFlags.SYN) && !syn.has(TcpFlags.ACK));
                assertEquals(80, syn.destinationPort());
                syn.release();
            } finally {
                packet.release();
            }
        }
    }

    @Test
    void answersEchoRequestsToItsAddress() throws Exception {
        PacketPipe pipe = new PacketPipe();
        Ipv4PacketTransport transport = new Ipv4PacketTransport(pipe.a, B);
        byte[] data = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
        Recorder stack = new Recorder();
        assertFalse(transport.deliver(echoRequest(A, B, 0x1234, 7, data, true), stack));
        assertEquals(1, transport.echoReplies());
        ByteBuf reply = pipe.b.poll();
        assertNotNull(reply, "a reply was written");
        try {
            Ipv4Header ip = Ipv4Header.decode(reply);
            assertEquals(B, ip.source(), "RFC 1122 3.2.2.6: the reply comes from the address pinged");
            assertEquals(A, ip.destination());
            assertEquals(IcmpEcho.PROTOCOL_ICMP, ip.protocol());
            assertEquals(64, ip.ttl());
            ByteBuf icmp = ip.payloadSlice(reply);
            assertEquals(0, Checksum.fold(Checksum.add(0, icmp, icmp.readerIndex(), icmp.readableBytes())), "ICMP checksum");
            assertEquals(IcmpEcho.TYPE_ECHO_REPLY, icmp.getUnsignedByte(icmp.readerIndex()));
            assertEquals(0, icmp.getUnsignedByte(icmp.readerIndex() + 1));
            assertEquals(0x1234, icmp.getUnsignedShort(icmp.readerIndex() + 4), "identifier");
            assertEquals(7, icmp.getUnsignedShort(icmp.readerIndex() + 6), "sequence number");
            byte[] echoed = new byte[icmp.readableBytes() - 8];
            icmp.getBytes(icmp.readerIndex() + 8, echoed);
            assertArrayEquals(data, echoed, "RFC 1122 3.2.2.6: all the data comes back");
        } finally {
            reply.release();
        }
        assertEquals(0, stack.count);
        pipe.a.close();
        pipe.b.close();
    }

    @Test
    void everyKindOfUnwantedPacketIsCountedAndDropped() throws Exception {
        PacketPipe pipe = new PacketPipe();
        Ipv4PacketTransport t = new Ipv4PacketTransport(pipe.a, B);
        Recorder stack = new Recorder();
        byte[] tcp = new byte[20];
        dropped(t, stack, Unpooled.wrappedBuffer(new byte[] {0x45, 0, 0}), t::malformed);
        dropped(t, stack, packet(new Ipv4Header(0, 40, 1, 0, 0, 64, 6, A, B), tcp, p -> p.setByte(0, 0x55)), t::malformed);
        dropped(t, stack, packet(new Ipv4Header(0, 40, 1, 0, 0, 64, 6, A, B), tcp, p -> p.setByte(8, 63)), t::malformed);
        dropped(t, stack, packet(new Ipv4Header(0, 40, 1, 0, 0, 64, 6, A, B), tcp, p -> p.writerIndex(30)), t::malformed);
        dropped(t, stack, Unpooled.wrappedBuffer(new byte[] {0x60, 0, 0, 0, 0, 0, 6, 64}), t::unsupported); // IPv6
        dropped(t, stack, packet(new Ipv4Header(0, 40, 1, Ipv4Header.FLAG_MF, 0, 64, 6, A, B), tcp, p -> { }), t::fragments);
        dropped(t, stack, packet(new Ipv4Header(0, 40, 1, 0, 3, 64, 6, A, B), tcp, p -> { }), t::fragments);
        dropped(t, stack, packet(new Ipv4Header(0, 40, 1, 0, 0, 64, 6, A, IpAddress.parse("10.9.0.99")), tcp, p -> { }),
                t::notLocal);
        for (String source : new String[] {"0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255"}) {
            dropped(t, stack, packet(new Ipv4Header(0, 40, 1, 0, 0, 64, 6, IpAddress.parse(source), B), tcp, p -> { }),
                    t::invalidSource);
        }
        dropped(t, stack, packet(new Ipv4Header(0, 28, 1, 0, 0, 64, 17, A, B), new byte[8], p -> { }), t::unsupported); // UDP
        ByteBuf timestampRequest = echoRequest(A, B, 1, 1, new byte[12], true);
        timestampRequest.setByte(20, 13).setShort(22, 0); // ICMP type 13 (timestamp): not an echo request
        timestampRequest.setShort(22, Checksum.fold(Checksum.add(0, timestampRequest, 20, 20)));
        dropped(t, stack, timestampRequest, t::unsupported);
        dropped(t, stack, echoRequest(A, B, 1, 1, new byte[4], false), t::malformed); // bad ICMP checksum
        dropped(t, stack, packet(new Ipv4Header(0, 24, 1, 0, 0, 64, 1, A, B), new byte[4], p -> { }), t::malformed); // ICMP < 8 bytes
        assertEquals(0, stack.count, "nothing reached the stack");
        assertEquals(0, t.echoReplies());
        assertEquals(null, pipe.b.poll(), "nothing was answered");
        pipe.a.close();
    }

    @Test
    void aTcpPacketIsHandedOverNarrowedToItsSegment() {
        Ipv4PacketTransport t = new Ipv4PacketTransport(new PacketPipe().a, B);
        Recorder stack = new Recorder();
        byte[] segment = new byte[24];
        segment[0] = 1;
        ByteBuf p = packet(new Ipv4Header(0, 44, 1, 0, 0, 1, 6, A, B), segment, q -> q.writeZero(6)); // TTL 1, link padding
        assertTrue(t.deliver(p, stack), "RFC 1122 3.2.1.7: a TTL below 2 is no reason to drop");
        assertEquals(1, stack.count);
        assertEquals(24, stack.lastLength, "the segment without header or padding");
        assertEquals(A, stack.lastSource);
    }

    @Test
    void aPlainReceiverIsCalledFromTheReaderThreadAndABatchIsHandedOverInOrder() throws Exception {
        PacketPipe pipe = new PacketPipe();
        Ipv4PacketTransport t = new Ipv4PacketTransport(pipe.a, B);
        java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CompletableFuture<Void> all = new CompletableFuture<>();
        for (int i = 0; i < 5; i++) { // queued before the reader starts: it takes them as one batch
            byte[] segment = new byte[20];
            segment[0] = (byte) i;
            pipe.b.write(packet(new Ipv4Header(0, 40, i, 0, 0, 64, 6, A, B), segment, p -> { }));
        }
        t.open((source, destination, segment) -> {
            seen.add(Thread.currentThread().getName() + " " + segment.getByte(segment.readerIndex()));
            segment.release();
            if (seen.size() == 5) {
                all.complete(null);
            }
        });
        all.get(10, TimeUnit.SECONDS);
        assertEquals(java.util.List.of("tcp4j-ipv4-10.9.0.2 0", "tcp4j-ipv4-10.9.0.2 1", "tcp4j-ipv4-10.9.0.2 2",
                "tcp4j-ipv4-10.9.0.2 3", "tcp4j-ipv4-10.9.0.2 4"), seen);
        t.close();
        pipe.b.close();
    }

    private static void dropped(Ipv4PacketTransport t, SegmentReceiver stack, ByteBuf packet, LongSupplier counter) {
        long before = counter.getAsLong();
        try {
            assertFalse(t.deliver(packet, stack));
        } finally {
            packet.release();
        }
        assertEquals(before + 1, counter.getAsLong(), "counted");
    }

    /** A packet: {@code header} encoded, {@code payload}, then {@code edit} applied. */
    static ByteBuf packet(Ipv4Header header, byte[] payload, java.util.function.Consumer<ByteBuf> edit) {
        ByteBuf p = Unpooled.buffer();
        header.encode(p);
        p.writeBytes(payload);
        edit.accept(p);
        return p;
    }

    /** An ICMP echo request from {@code from} to {@code to}, with a right or a wrong checksum. */
    static ByteBuf echoRequest(IpAddress from, IpAddress to, int identifier, int sequence, byte[] data, boolean goodChecksum) {
        ByteBuf p = Unpooled.buffer();
        new Ipv4Header(0, 20 + 8 + data.length, 9, 0, 0, 64, IcmpEcho.PROTOCOL_ICMP, from, to).encode(p);
        p.writeByte(IcmpEcho.TYPE_ECHO_REQUEST).writeByte(0).writeShort(0).writeShort(identifier).writeShort(sequence);
        p.writeBytes(data);
        int sum = Checksum.fold(Checksum.add(0, p, 20, 8 + data.length));
        p.setShort(22, goodChecksum ? sum : sum ^ 0xFF);
        return p;
    }

    /** Stands for the stack: counts what it is handed and releases it. */
    static final class Recorder implements SegmentReceiver {
        int count;
        int lastLength;
        IpAddress lastSource;

        @Override
        public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
            count++;
            lastLength = segment.readableBytes();
            lastSource = source;
            segment.release();
        }
    }

    @Test
    void allocatesFromTheGivenAllocator() {
        CountingAllocator alloc = new CountingAllocator();
        PacketPipe pipe = new PacketPipe();
        Ipv4PacketTransport t = new Ipv4PacketTransport(pipe.a, alloc, List.of(B));
        t.deliver(echoRequest(A, B, 1, 1, new byte[8], true), new Recorder());
        assertEquals(1, alloc.count, "the echo reply came from the transport's allocator");
        pipe.b.poll().release();
    }

    /** Counts the buffers it makes (heap buffers of {@link Unpooled}). */
    static final class CountingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
        int count;

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            count++;
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            count++;
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
