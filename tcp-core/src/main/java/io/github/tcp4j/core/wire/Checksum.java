package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071) as TCP and IPv4 use it: the 16-bit one's complement of the
 * one's complement sum of 16-bit words. Stateless; reads buffers by absolute index and never
 * moves their reader or writer index.
 */
public final class Checksum {

    /** IANA protocol number of TCP, as it appears in the IPv4 and IPv6 headers. */
    public static final int PROTOCOL_TCP = 6;

    private Checksum() {
    }

    /**
     * Adds the 16-bit big-endian words of {@code length} bytes of {@code buf} starting at
     * {@code index} to {@code sum}; an odd last byte is padded with a zero byte (RFC 9293 3.1).
     * The result is not folded: feed it to {@link #fold(long)}.
     */
    public static long add(long sum, ByteBuf buf, int index, int length) {
        int i = index;
        int end = index + length;
        // Eight bytes at a time: a long holds four words; summing its two halves keeps carries.
        while (end - i >= 8) {
            long v = buf.getLong(i);
            sum += (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
            i += 8;
        }
        while (end - i >= 2) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            sum += (buf.getUnsignedByte(i) << 8);
        }
        return sum;
    }

    /** Folds carries into 16 bits and complements: the value to put into a checksum field. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /**
     * The unfolded sum of the TCP pseudo-header: source and destination address, zero, protocol 6,
     * and the TCP length (header plus data). For IPv4 this is RFC 9293 section 3.1's 96-bit
     * pseudo-header; for IPv6 RFC 8200 section 8.1's, whose sum over the same fields is the same
     * expression (its 32-bit length and next-header fields add the same words).
     *
     * @throws IllegalArgumentException if one address is IPv4 and the other IPv6
     */
    public static long pseudoHeaderSum(IpAddress source, IpAddress destination, int tcpLength) {
        if (source.isV4() != destination.isV4()) {
            throw new IllegalArgumentException("mixed address families: " + source + " -> " + destination);
        }
        return source.wordSum() + destination.wordSum() + PROTOCOL_TCP
                + (tcpLength & 0xFFFF) + (tcpLength >>> 16);
    }

    /**
     * The TCP checksum of the segment of {@code length} bytes at {@code index}, computed as if
     * its checksum field were whatever it holds now: over a segment whose checksum field is zero
     * this is the value to store; over a received segment it is 0 exactly when the checksum is
     * right.
     */
    public static int tcp(IpAddress source, IpAddress destination, ByteBuf segment, int index, int length) {
        return fold(add(pseudoHeaderSum(source, destination, length), segment, index, length));
    }
}
