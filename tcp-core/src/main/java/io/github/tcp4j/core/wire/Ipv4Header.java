package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * An IPv4 header (RFC 791 section 3.1): what packet transports (the UDP bridge, TUN, pcap) need
 * to carry whole IP packets. Options are accepted on decode (IHL above 5) but not kept; encoding
 * writes the 20-byte header without options.
 *
 * <p>An immutable value. {@link #decode(ByteBuf)} reads a buffer without moving its indices and
 * without taking ownership.
 */
public final class Ipv4Header {

    /** Length of a header without options. */
    public static final int MIN_LENGTH = 20;
    /** The "don't fragment" flag (RFC 791). */
    public static final int FLAG_DF = 0b010;
    /** The "more fragments" flag (RFC 791). */
    public static final int FLAG_MF = 0b001;

    private final int headerLength;
    private final int tos;
    private final int totalLength;
    private final int identification;
    private final int flags;
    private final int fragmentOffset;
    private final int ttl;
    private final int protocol;
    private final int headerChecksum;
    private final IpAddress source;
    private final IpAddress destination;

    /**
     * A header with the given fields; the header length is 20 (no options) and the checksum is
     * computed when encoding.
     *
     * @param tos the type-of-service byte (DSCP and ECN), 0..255
     * @param totalLength header plus payload, 20..65535
     * @param identification 0..65535
     * @param flags a mask of {@link #FLAG_DF} and {@link #FLAG_MF}
     * @param fragmentOffset in 8-byte units, 0..8191
     * @param ttl 0..255
     * @param protocol 0..255 (6 for TCP)
     */
    public Ipv4Header(int tos, int totalLength, int identification, int flags, int fragmentOffset, int ttl, int protocol,
            IpAddress source, IpAddress destination) {
        this(MIN_LENGTH, tos, totalLength, identification, flags, fragmentOffset, ttl, protocol, 0, source, destination);
        if (totalLength < MIN_LENGTH) {
            throw new IllegalArgumentException("total length below the header's 20 bytes: " + totalLength);
        }
    }

    private Ipv4Header(int headerLength, int tos, int totalLength, int identification, int flags, int fragmentOffset,
            int ttl, int protocol, int headerChecksum, IpAddress source, IpAddress destination) {
        this.headerLength = headerLength;
        this.tos = range("TOS", tos, 0xFF);
        this.totalLength = range("total length", totalLength, 0xFFFF);
        this.identification = range("identification", identification, 0xFFFF);
        this.flags = range("flags", flags, 0b111);
        this.fragmentOffset = range("fragment offset", fragmentOffset, 0x1FFF);
        this.ttl = range("TTL", ttl, 0xFF);
        this.protocol = range("protocol", protocol, 0xFF);
        this.headerChecksum = headerChecksum;
        this.source = Objects.requireNonNull(source, "source");
        this.destination = Objects.requireNonNull(destination, "destination");
        if (!source.isV4() || !destination.isV4()) {
            throw new IllegalArgumentException("IPv4 header with a non-IPv4 address: " + source + " -> " + destination);
        }
    }

    /**
     * The header of a TCP packet as tcp4j sends it: TTL 64, DF set (TCP does its own path MTU
     * handling), TOS 0, protocol 6.
     */
    public static Ipv4Header forTcp(IpAddress source, IpAddress destination, int segmentLength, int identification) {
        return new Ipv4Header(0, MIN_LENGTH + segmentLength, identification, FLAG_DF, 0, 64, Checksum.PROTOCOL_TCP,
                source, destination);
    }

    /**
     * Decodes the header at the reader index of {@code packet}, checking it (RFC 791 and
     * RFC 1122 section 3.2.1.1-3.2.1.2): version 4, IHL at least 5 and within the buffer, total
     * length covering the header and not beyond the buffer (bytes after the total length, such
     * as link padding, are allowed and ignored), and the header checksum.
     *
     * @throws MalformedPacketException with an {@code IP_*} reason if any check fails
     */
    public static Ipv4Header decode(ByteBuf packet) throws MalformedPacketException {
        int base = packet.readerIndex();
        int available = packet.readableBytes();
        if (available < MIN_LENGTH) {
            throw new MalformedPacketException(MalformedReason.IP_TRUNCATED_HEADER, available + " bytes, need 20");
        }
        int versionIhl = packet.getUnsignedByte(base);
        int version = versionIhl >>> 4;
        if (version != 4) {
            throw new MalformedPacketException(MalformedReason.IP_BAD_VERSION, "version " + version);
        }
        int ihl = versionIhl & 0x0F;
        if (ihl < 5) {
            throw new MalformedPacketException(MalformedReason.IP_IHL_TOO_SMALL, "IHL " + ihl + " words");
        }
        int headerLength = ihl * 4;
        if (headerLength > available) {
            throw new MalformedPacketException(MalformedReason.IP_TRUNCATED_HEADER,
                    "IHL says " + headerLength + " bytes, " + available + " received");
        }
        int totalLength = packet.getUnsignedShort(base + 2);
        if (totalLength < headerLength || totalLength > available) {
            throw new MalformedPacketException(MalformedReason.IP_TOTAL_LENGTH_MISMATCH,
                    "total length " + totalLength + ", header " + headerLength + ", received " + available);
        }
        if (Checksum.fold(Checksum.add(0, packet, base, headerLength)) != 0) {
            throw new MalformedPacketException(MalformedReason.IP_BAD_HEADER_CHECKSUM,
                    "header checksum 0x" + Integer.toHexString(packet.getUnsignedShort(base + 10)));
        }
        int flagsAndOffset = packet.getUnsignedShort(base + 6);
        return new Ipv4Header(headerLength, packet.getUnsignedByte(base + 1), totalLength, packet.getUnsignedShort(base + 4),
                flagsAndOffset >>> 13, flagsAndOffset & 0x1FFF, packet.getUnsignedByte(base + 8),
                packet.getUnsignedByte(base + 9), packet.getUnsignedShort(base + 10),
                IpAddress.v4(packet.getInt(base + 12)), IpAddress.v4(packet.getInt(base + 16)));
    }

    /**
     * Writes the 20-byte header (no options) at the writer index of {@code out}, with its checksum,
     * and sets the total length as given at construction.
     */
    public void encode(ByteBuf out) {
        int start = out.writerIndex();
        out.ensureWritable(MIN_LENGTH);
        out.writeByte(0x45); // version 4, IHL 5
        out.writeByte(tos);
        out.writeShort(totalLength);
        out.writeShort(identification);
        out.writeShort((flags << 13) | fragmentOffset);
        out.writeByte(ttl);
        out.writeByte(protocol);
        out.writeShort(0);
        out.writeInt(source.v4Bits());
        out.writeInt(destination.v4Bits());
        out.setShort(start + 10, Checksum.fold(Checksum.add(0, out, start, MIN_LENGTH)));
    }

    /**
     * The payload of {@code packet} (whose header this is): a slice from the end of the header to
     * the total length. The slice is not retained: it lives as long as {@code packet}'s reference
     * (call {@code retain()} on it to keep it longer).
     */
    public ByteBuf payloadSlice(ByteBuf packet) {
        return packet.slice(packet.readerIndex() + headerLength, payloadLength());
    }

    /** Header length in bytes, options included (IHL * 4). */
    public int headerLength() {
        return headerLength;
    }

    /** Payload bytes: total length minus header length. */
    public int payloadLength() {
        return totalLength - headerLength;
    }

    /** The type-of-service byte (DSCP in the upper six bits, ECN in the lower two). */
    public int tos() {
        return tos;
    }

    /** Total length of the packet, header included. */
    public int totalLength() {
        return totalLength;
    }

    /** The identification field. */
    public int identification() {
        return identification;
    }

    /** The three flag bits (reserved, DF, MF). */
    public int flags() {
        return flags;
    }

    /** True when the "don't fragment" bit is set. */
    public boolean dontFragment() {
        return (flags & FLAG_DF) != 0;
    }

    /** True when the packet is a fragment (more fragments follow, or it is not the first). */
    public boolean isFragment() {
        return (flags & FLAG_MF) != 0 || fragmentOffset != 0;
    }

    /** The fragment offset in 8-byte units. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** Time to live. */
    public int ttl() {
        return ttl;
    }

    /** The payload's protocol number (6 for TCP). */
    public int protocol() {
        return protocol;
    }

    /** The header checksum as decoded (0 for a header built in code: encoding computes it). */
    public int headerChecksum() {
        return headerChecksum;
    }

    /** Source address. */
    public IpAddress source() {
        return source;
    }

    /** Destination address. */
    public IpAddress destination() {
        return destination;
    }

    /** Equal when every field but the checksum and the (unkept) options' length matches. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Header h && tos == h.tos && totalLength == h.totalLength
                && identification == h.identification && flags == h.flags && fragmentOffset == h.fragmentOffset
                && ttl == h.ttl && protocol == h.protocol && source.equals(h.source) && destination.equals(h.destination);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tos, totalLength, identification, flags, fragmentOffset, ttl, protocol, source, destination);
    }

    @Override
    public String toString() {
        return "IPv4 " + source + " > " + destination + " proto=" + protocol + " len=" + totalLength + " id=" + identification
                + (dontFragment() ? " DF" : "") + ((flags & FLAG_MF) != 0 ? " MF" : "")
                + (fragmentOffset != 0 ? " off=" + fragmentOffset : "") + " ttl=" + ttl;
    }

    private static int range(String what, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " must be 0.." + max + ": " + v);
        }
        return v;
    }
}
