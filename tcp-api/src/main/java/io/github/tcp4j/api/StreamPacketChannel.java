package io.github.tcp4j.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A {@link PacketChannel} over an {@link InputStream} and an {@link OutputStream} of whole
 * packets, in plain {@code java.io}: what an Android {@code VpnService} gives
 * ({@code new FileInputStream(fd)} and {@code new FileOutputStream(fd)} of its TUN interface), or a
 * Linux TUN file descriptor opened some other way.
 *
 * <p>The streams must keep packet boundaries, as a TUN file descriptor does: each
 * {@code read(byte[])} returns exactly one packet, and one {@code write(byte[], int, int)} call
 * sends exactly one. Do not wrap them in buffering streams ({@code BufferedInputStream} would merge
 * packets). Packets longer than {@code maxPacketSize} are cut by the stream, so make it at least the
 * interface's MTU (default 65,535, the largest IPv4 packet).
 *
 * <p>Writes from several threads are serialised. {@link #close()} closes both streams; a read that
 * is blocked inside the input stream returns when that stream's {@code read} returns (for a file
 * descriptor, when the descriptor is closed or the next packet comes).
 */
public final class StreamPacketChannel implements PacketChannel {

    /** The largest IPv4 packet (RFC 791: the total length is 16 bits). */
    public static final int MAX_IPV4_PACKET = 65_535;

    private final InputStream in;
    private final OutputStream out;
    private final ByteBufAllocator alloc;
    private final byte[] readScratch;
    private final byte[] writeScratch;
    private volatile boolean closed;

    /** A channel over {@code in} and {@code out}, packets up to 65,535 bytes, Netty's default allocator. */
    public StreamPacketChannel(InputStream in, OutputStream out) {
        this(in, out, MAX_IPV4_PACKET, ByteBufAllocator.DEFAULT);
    }

    /**
     * A channel over {@code in} and {@code out}.
     *
     * @param maxPacketSize the largest packet read or written, at least the interface's MTU
     * @param alloc where the buffers {@link #read()} returns come from
     */
    public StreamPacketChannel(InputStream in, OutputStream out, int maxPacketSize, ByteBufAllocator alloc) {
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        if (maxPacketSize < 1 || maxPacketSize > MAX_IPV4_PACKET) {
            throw new IllegalArgumentException("maxPacketSize must be 1..65535: " + maxPacketSize);
        }
        this.readScratch = new byte[maxPacketSize];
        this.writeScratch = new byte[maxPacketSize];
    }

    @Override
    public ByteBuf read() throws IOException {
        while (!closed) {
            int n;
            try {
                n = in.read(readScratch);
            } catch (IOException e) {
                if (closed) {
                    return null; // the stream was closed under the read
                }
                throw e;
            }
            if (n < 0) {
                return null;
            }
            if (n > 0) {
                ByteBuf packet = alloc.buffer(n);
                packet.writeBytes(readScratch, 0, n);
                return packet;
            }
        }
        return null;
    }

    @Override
    public void write(ByteBuf packet) throws IOException {
        try {
            int length = packet.readableBytes();
            synchronized (out) {
                if (closed) {
                    return;
                }
                if (length > writeScratch.length) {
                    throw new IOException("packet of " + length + " bytes exceeds the channel's " + writeScratch.length);
                }
                if (packet.hasArray()) {
                    out.write(packet.array(), packet.arrayOffset() + packet.readerIndex(), length);
                } else {
                    packet.getBytes(packet.readerIndex(), writeScratch, 0, length);
                    out.write(writeScratch, 0, length);
                }
                out.flush();
            }
        } catch (IOException e) {
            if (!closed) {
                throw e;
            } // closed under the write: dropped, as the contract says
        } finally {
            packet.release();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            in.close();
        } finally {
            out.close();
        }
    }
}
