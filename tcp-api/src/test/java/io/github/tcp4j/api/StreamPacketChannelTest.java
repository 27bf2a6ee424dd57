package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A packet channel over a pair of java.io streams that keep packet boundaries, as a TUN file
 * descriptor (or an Android VpnService's) does: one read, one packet; one write, one packet.
 */
@Timeout(60)
class StreamPacketChannelTest {

    /** Streams in the manner of a TUN descriptor: each write is one packet, each read returns one. */
    static final class PacketStreams {
        private static final byte[] END = new byte[0];
        final LinkedBlockingQueue<byte[]> packets = new LinkedBlockingQueue<>();
        final InputStream in = new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException("a packet stream is read a packet at a time");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    byte[] p = packets.take();
                    if (p == END) {
                        packets.add(END);
                        return -1;
                    }
                    int n = Math.min(len, p.length); // a longer packet is cut, as read(2) on a TUN descriptor does
                    System.arraycopy(p, 0, b, off, n);
                    return n;
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }

            @Override
            public void close() {
                packets.add(END);
            }
        };
        final List<byte[]> written = new ArrayList<>();
        final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException("a packet stream is written a packet at a time");
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                written.add(Arrays.copyOfRange(b, off, off + len));
            }
        };
    }

    @Test
    void eachReadIsOnePacketAndEachWriteOnePacket() throws IOException {
        PacketStreams s = new PacketStreams();
        StreamPacketChannel channel = new StreamPacketChannel(s.in, s.out);
        s.packets.add(new byte[] {1, 2, 3});
        s.packets.add(new byte[] {4});
        ByteBuf first = channel.read();
        ByteBuf second = channel.read();
        assertEquals(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), first);
        assertEquals(Unpooled.wrappedBuffer(new byte[] {4}), second);
        first.release();
        second.release();
        channel.write(Unpooled.wrappedBuffer(new byte[] {9, 9, 5, 6}).skipBytes(2)); // heap, with a reader index
        ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(new byte[] {7, 8});
        channel.write(direct);
        assertEquals(0, direct.refCnt(), "the channel released what it wrote");
        assertEquals(2, s.written.size());
        assertArrayEquals(new byte[] {5, 6}, s.written.get(0));
        assertArrayEquals(new byte[] {7, 8}, s.written.get(1));
        channel.close();
        assertNull(channel.read(), "closed");
        ByteBuf late = Unpooled.buffer().writeByte(1);
        channel.write(late);
        assertEquals(0, late.refCnt(), "a write after close is dropped and released");
        assertEquals(2, s.written.size());
    }

    @Test
    void endOfStreamReadsAsNull() throws IOException {
        PacketStreams s = new PacketStreams();
        s.in.close();
        assertNull(new StreamPacketChannel(s.in, s.out).read());
    }

    @Test
    void aPacketLargerThanTheChannelIsRefusedAndReleased() {
        PacketStreams s = new PacketStreams();
        StreamPacketChannel channel = new StreamPacketChannel(s.in, s.out, 100, ByteBufAllocator.DEFAULT);
        ByteBuf big = Unpooled.buffer().writeZero(101);
        assertThrows(IOException.class, () -> channel.write(big));
        assertEquals(0, big.refCnt());
        assertThrows(IllegalArgumentException.class, () -> new StreamPacketChannel(s.in, s.out, 70_000, ByteBufAllocator.DEFAULT));
    }

    @Test
    void twoStacksTalkOverPacketStreams() throws Exception {
        // Two pairs of packet streams, crossed: what one stack writes the other reads.
        PacketStreams aToB = new PacketStreams();
        PacketStreams bToA = new PacketStreams();
        OutputStream intoB = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                aToB.packets.add(Arrays.copyOfRange(b, off, off + len));
            }
        };
        OutputStream intoA = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bToA.packets.add(Arrays.copyOfRange(b, off, off + len));
            }
        };
        StreamPacketChannel a = new StreamPacketChannel(bToA.in, intoB);
        StreamPacketChannel b = new StreamPacketChannel(aToB.in, intoA);
        try (TcpStack sa = TcpStack.builder().address("10.9.0.1")
                        .transport(new Ipv4PacketTransport(a, io.github.tcp4j.core.wire.IpAddress.parse("10.9.0.1"))).build();
                TcpStack sb = TcpStack.builder().address("10.9.0.2")
                        .transport(new Ipv4PacketTransport(b, io.github.tcp4j.core.wire.IpAddress.parse("10.9.0.2"))).build();
                TcpServerSocket listener = sb.listen(80)) {
            java.util.concurrent.CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
            try (TcpSocket c = sa.connect(new InetSocketAddress("10.9.0.2", 80));
                    TcpSocket s = accepted.get()) {
                c.getOutputStream().write("over java.io".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                c.shutdownOutput();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                s.getInputStream().transferTo(got);
                assertEquals("over java.io", got.toString(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
