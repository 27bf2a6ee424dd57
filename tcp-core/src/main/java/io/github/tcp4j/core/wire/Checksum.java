package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) as TCP and IPv4 use it: the 16-bit one's complement of the
 * one's complement sum of 16-bit words. Stateless; reads buffers by absolute index and never
 * moves their reader or writer index.
 *
 * <h2>Speed</h2>
 * A 64 KB segment is summed eight bytes at a time, straight from the buffer's memory where it
 * has one piece of it: a heap buffer's array (read as big-endian longs through a
 * {@link VarHandle}) or a direct buffer's internal NIO view ({@link ByteBuf#internalNioBuffer},
 * which pooled buffers reuse, so nothing is allocated; two threads must therefore not sum views of
 * one buffer at the same time, which a stack's single thread never does). Each long is added as two 32-bit halves
 * into a 64-bit accumulator: since 2^16 = 1 modulo 2^16 - 1, a sum of 32-bit words folds to the
 * same one's complement sum as the sum of their 16-bit halves (RFC 1071 section 2), and the
 * accumulator cannot overflow below 2^31 longs. Other buffers (composites) are read through
 * {@link ByteBuf#getLong}, one bounds check per eight bytes.
 */
public final class Checksum {

    /** IANA protocol number of TCP, as it appears in the IPv4 and IPv6 headers. */
    public static final int PROTOCOL_TCP = 6;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** Below this length the direct paths do not pay for finding the memory. */
    private static final int DIRECT_PATH_MIN = 64;

    private Checksum() {
    }

    /**
     * Adds the 16-bit big-endian words of {@code length} bytes of {@code buf} starting at
     * {@code index} to {@code sum}; an odd last byte is padded with a zero byte (RFC 9293 3.1).
     * The result is not folded: feed it to {@link #fold(long)}.
     */
    public static long add(long sum, ByteBuf buf, int index, int length) {
        if (length >= DIRECT_PATH_MIN) {
            if (buf.hasArray()) {
                return sum + addArray(buf.array(), buf.arrayOffset() + index, length);
            }
            if (buf.nioBufferCount() == 1) {
                ByteBuffer nio = buf.internalNioBuffer(index, length);
                if (nio.order() == ByteOrder.BIG_ENDIAN) { // Netty's views are; anything else takes the slow path
                    return sum + addNio(nio, nio.position(), length);
                }
            }
        }
        return addByteBuf(sum, buf, index, length);
    }

    /** The sum of {@code length} bytes of {@code a} from {@code from}, as big-endian 16-bit words. */
    private static long addArray(byte[] a, int from, int length) {
        long s0 = 0;
        long s1 = 0;
        int i = from;
        int end = from + length;
        for (; end - i >= 16; i += 16) {
            long v = (long) LONGS.get(a, i);
            long w = (long) LONGS.get(a, i + 8);
            s0 += (v >>> 32) + (v & 0xFFFF_FFFFL);
            s1 += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        long sum = s0 + s1;
        for (; end - i >= 2; i += 2) {
            sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (a[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** The sum of {@code length} bytes of the big-endian view {@code b} from absolute index {@code from}. */
    private static long addNio(ByteBuffer b, int from, int length) {
        long s0 = 0;
        long s1 = 0;
        int i = from;
        int end = from + length;
        for (; end - i >= 16; i += 16) {
            long v = b.getLong(i);
            long w = b.getLong(i + 8);
            s0 += (v >>> 32) + (v & 0xFFFF_FFFFL);
            s1 += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        long sum = s0 + s1;
        for (; end - i >= 2; i += 2) {
            sum += ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
        }
        if (i < end) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    private static long addByteBuf(long sum, ByteBuf buf, int index, int length) {
        int i = index;
        int end = index + length;
        while (end - i >= 8) {
            long v = buf.getLong(i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
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
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
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
