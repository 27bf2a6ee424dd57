package io.github.tcp4j.core.pcap;

import io.github.tcp4j.core.timer.Clock;
import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Writes a classic pcap file (the libpcap format that tcpdump, tshark and Wireshark read) of raw
 * IP packets (LINKTYPE_RAW, 101: each record is an IPv4 or IPv6 packet with no link header).
 *
 * <p>Any transport can tee its traffic into it: whole IP packets with {@link #writeIpPacket}, or
 * bare TCP segments with {@link #writeSegment}, for which an IP header is synthesized (IPv4 with
 * TTL 64, DF and an identification counting up from 0; or IPv6 with hop limit 64). Timestamps are
 * read from the {@link Clock} given at construction, so a capture of the simulator shows virtual
 * time. Fields are written in little-endian order (the magic number tells readers which).
 *
 * <p>Neither method takes ownership of the buffer it is given or moves its indices. I/O errors
 * are thrown as {@link UncheckedIOException}: the writer sits on paths (a transport's send) that
 * cannot handle checked exceptions. The same calls produce the same bytes, which the simulator's
 * reproducibility test relies on. Not thread-safe.
 */
public final class PcapWriter implements Closeable, Flushable {

    /** LINKTYPE_RAW: records are raw IPv4 or IPv6 packets. */
    public static final int LINKTYPE_RAW = 101;
    /** Largest record kept whole. */
    public static final int SNAPLEN = 262_144;

    private final OutputStream out;
    private final Clock clock;
    private final PcapPrecision precision;
    private final byte[] recordHeader = new byte[16];
    private final byte[] copyBuffer = new byte[8192];
    private final ByteBuf ipHeader = Unpooled.buffer(40, 40);
    private int nextIdentification;
    private long packets;
    private boolean closed;

    /**
     * Opens a capture on {@code out} and writes the file header at once. The writer owns
     * {@code out} from now on and closes it in {@link #close()}.
     */
    public PcapWriter(OutputStream out, Clock clock, PcapPrecision precision) {
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.precision = Objects.requireNonNull(precision, "precision");
        byte[] header = new byte[24];
        putIntLe(header, 0, precision.magic());
        putShortLe(header, 4, 2); // version 2.4
        putShortLe(header, 6, 4);
        // thiszone and sigfigs (bytes 8..15) stay 0
        putIntLe(header, 16, SNAPLEN);
        putIntLe(header, 20, LINKTYPE_RAW);
        write(header, 0, header.length);
    }

    /** Records one whole IP packet: the readable bytes of {@code packet} (borrowed). */
    public void writeIpPacket(ByteBuf packet) {
        int length = packet.readableBytes();
        writeRecordHeader(length);
        copy(packet, packet.readerIndex(), length);
        packets++;
    }

    /**
     * Records one bare TCP segment (borrowed) as an IP packet from {@code source} to
     * {@code destination}, synthesizing the IP header. The segment's bytes are copied verbatim,
     * checksum included.
     */
    public void writeSegment(IpAddress source, IpAddress destination, ByteBuf segment) {
        int length = segment.readableBytes();
        ipHeader.clear();
        if (source.isV4()) {
            Ipv4Header.forTcp(source, destination, length, nextIdentification).encode(ipHeader);
            nextIdentification = (nextIdentification + 1) & 0xFFFF;
        } else {
            writeIpv6Header(source, destination, length);
        }
        writeRecordHeader(ipHeader.readableBytes() + length);
        copy(ipHeader, 0, ipHeader.readableBytes());
        copy(segment, segment.readerIndex(), length);
        packets++;
    }

    private void writeIpv6Header(IpAddress source, IpAddress destination, int payloadLength) {
        if (!destination.isV6()) {
            throw new IllegalArgumentException("mixed address families: " + source + " -> " + destination);
        }
        ipHeader.writeInt(6 << 28); // version 6, traffic class 0, flow label 0 (RFC 8200 section 3)
        ipHeader.writeShort(payloadLength);
        ipHeader.writeByte(Checksum.PROTOCOL_TCP); // next header
        ipHeader.writeByte(64); // hop limit
        ipHeader.writeLong(source.v6High()).writeLong(source.v6Low());
        ipHeader.writeLong(destination.v6High()).writeLong(destination.v6Low());
    }

    /** Records written so far. */
    public long packetsWritten() {
        return packets;
    }

    private void writeRecordHeader(int length) {
        long now = clock.nanos();
        long seconds = Math.floorDiv(now, 1_000_000_000L);
        long subsecond = Math.floorMod(now, 1_000_000_000L) / precision.nanosPerUnit();
        int captured = Math.min(length, SNAPLEN);
        putIntLe(recordHeader, 0, (int) seconds);
        putIntLe(recordHeader, 4, (int) subsecond);
        putIntLe(recordHeader, 8, captured);
        putIntLe(recordHeader, 12, length);
        write(recordHeader, 0, 16);
    }

    private void copy(ByteBuf buf, int index, int length) {
        int end = index + length;
        for (int i = index; i < end; i += copyBuffer.length) {
            int n = Math.min(copyBuffer.length, end - i);
            buf.getBytes(i, copyBuffer, 0, n);
            write(copyBuffer, 0, n);
        }
    }

    private void write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("writing pcap", e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("flushing pcap", e);
        }
    }

    /** Closes the stream; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing pcap", e);
        } finally {
            ipHeader.release();
        }
    }

    private static void putIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private static void putShortLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
