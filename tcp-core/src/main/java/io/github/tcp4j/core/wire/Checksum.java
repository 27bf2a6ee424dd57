package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) as TCP and IPv4 use it: the 16-bit one's complement of the
 * one's complement sum of 16-bit words. Stateless; reads buffers by absolute index and never
 * moves their reader or writer index.
 *
 * <h2>Speed</h2>
 * A segment is summed sixty-four bytes per step, as eight longs in the machine's own byte order:
 * from a heap buffer's array through a {@link VarHandle}, from a direct buffer's memory through
 * Netty's {@code PlatformDependent} (when Netty has unaligned memory access, as on x86 and
 * ARM64), or, for any other buffer (composite, read-only), from a small per-thread scratch array
 * the bytes are copied into block by block. Summing little-endian words gives the byte-swapped
 * one's complement sum (RFC 1071 section 2(B), byte order independence), so a little-endian
 * machine sums without swapping any long and swaps the folded 16 bits once. Each long is added
 * as two 32-bit halves into one of eight 64-bit accumulators: since 2^16 = 1 modulo 2^16 - 1, a
 * sum of 32-bit words folds to the same one's complement sum as the sum of their 16-bit halves,
 * and the accumulators cannot overflow below 2^31 longs. Allocates nothing once a thread has its
 * {@value #SCRATCH_BYTES}-byte scratch array (only buffers of the third kind need it).
 */
public final class Checksum {

    /** IANA protocol number of TCP, as it appears in the IPv4 and IPv6 headers. */
    public static final int PROTOCOL_TCP = 6;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /** Whether direct buffers can be read by memory address (Netty's Unsafe access, unaligned loads). */
    private static final boolean MEMORY = PlatformDependent.hasUnsafe() && PlatformDependent.isUnaligned()
            && PlatformDependent.BIG_ENDIAN_NATIVE_ORDER != LITTLE_ENDIAN;
    /** Bytes of a buffer without an array summed per block (even, so every block starts a 16-bit word). */
    static final int SCRATCH_BYTES = 8192;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

    private Checksum() {
    }

    /**
     * Adds the 16-bit big-endian words of {@code length} bytes of {@code buf} starting at
     * {@code index} to {@code sum}; an odd last byte is padded with a zero byte (RFC 9293 3.1).
     * The result is not folded: feed it to {@link #fold(long)}.
     *
     * @throws IndexOutOfBoundsException if the bytes lie outside the buffer's capacity
     * @throws io.netty.util.IllegalReferenceCountException if the buffer was released
     */
    public static long add(long sum, ByteBuf buf, int index, int length) {
        if (length < 64) {
            return addByteBuf(sum, buf, index, length);
        }
        if (buf.hasArray()) {
            checkRange(buf, index, length); // a pooled buffer's array is its pool's whole chunk
            return sum + toBigEndian(addArray(buf.array(), buf.arrayOffset() + index, length));
        }
        if (MEMORY && buf.hasMemoryAddress()) {
            checkRange(buf, index, length);
            return sum + toBigEndian(addMemory(buf.memoryAddress() + index, length));
        }
        byte[] scratch = SCRATCH.get();
        long native16 = 0;
        for (int at = 0; at < length; at += SCRATCH_BYTES) {
            int n = Math.min(SCRATCH_BYTES, length - at);
            buf.getBytes(index + at, scratch, 0, n);
            native16 += addArray(scratch, 0, n);
        }
        return sum + toBigEndian(native16);
    }

    /**
     * Copies {@code length} bytes of {@code src} at {@code srcIndex} to {@code dst} at
     * {@code dstIndex} (absolute indices; no index of either buffer moves) and returns what
     * {@code add(0, dst, dstIndex, length)} would return afterwards: the buffers' own copy (the
     * platform's memory copy for heap and direct buffers), then the sum of the copy while it is
     * still in the processor's cache (measured as fast as one loop that loads, stores and adds each
     * long, and simpler).
     *
     * @throws IndexOutOfBoundsException if a range lies outside its buffer's capacity
     * @throws io.netty.util.IllegalReferenceCountException if a buffer was released
     */
    public static long copyAndAdd(ByteBuf src, int srcIndex, ByteBuf dst, int dstIndex, int length) {
        dst.setBytes(dstIndex, src, srcIndex, length);
        return add(0, dst, dstIndex, length);
    }

    /**
     * A sum as {@link #add} returns it, of bytes that start at an odd position of the segment:
     * folded and byte-swapped, so it adds to the sum of the segment's other parts (RFC 1071 2(B)).
     */
    public static long oddPositioned(long sum) {
        long x = foldCarries(sum);
        return ((x & 0xFF) << 8) | (x >>> 8);
    }

    /** What a buffer's own getters check before a read: the range within its capacity, the buffer not released. */
    private static void checkRange(ByteBuf buf, int index, int length) {
        if (index < 0 || length < 0 || index > buf.capacity() - length) {
            throw new IndexOutOfBoundsException("index " + index + " length " + length + " capacity " + buf.capacity());
        }
        if (buf.refCnt() == 0) {
            throw new IllegalReferenceCountException(0);
        }
    }

    /** A sum of native-order words folded to 16 bits and put in network (big-endian) order. */
    private static long toBigEndian(long nativeSum) {
        long x = foldCarries(nativeSum);
        return LITTLE_ENDIAN ? ((x & 0xFF) << 8) | (x >>> 8) : x;
    }

    /** The one's complement sum folded to 16 bits, not complemented. */
    private static long foldCarries(long sum) {
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    /**
     * The sum of {@code length} bytes of {@code a} from {@code from}, as 16-bit words in the
     * machine's byte order: sixty-four bytes per step into eight independent accumulators (the
     * processor adds them in parallel; measured 1.6 times two accumulators), then eight bytes, two,
     * one.
     */
    private static long addArray(byte[] a, int from, int length) {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        long s4 = 0;
        long s5 = 0;
        long s6 = 0;
        long s7 = 0;
        int i = from;
        int end = from + length;
        for (; end - i >= 64; i += 64) {
            long v0 = (long) LONGS.get(a, i);
            long v1 = (long) LONGS.get(a, i + 8);
            long v2 = (long) LONGS.get(a, i + 16);
            long v3 = (long) LONGS.get(a, i + 24);
            long v4 = (long) LONGS.get(a, i + 32);
            long v5 = (long) LONGS.get(a, i + 40);
            long v6 = (long) LONGS.get(a, i + 48);
            long v7 = (long) LONGS.get(a, i + 56);
            s0 += (v0 >>> 32) + (v0 & 0xFFFF_FFFFL);
            s1 += (v1 >>> 32) + (v1 & 0xFFFF_FFFFL);
            s2 += (v2 >>> 32) + (v2 & 0xFFFF_FFFFL);
            s3 += (v3 >>> 32) + (v3 & 0xFFFF_FFFFL);
            s4 += (v4 >>> 32) + (v4 & 0xFFFF_FFFFL);
            s5 += (v5 >>> 32) + (v5 & 0xFFFF_FFFFL);
            s6 += (v6 >>> 32) + (v6 & 0xFFFF_FFFFL);
            s7 += (v7 >>> 32) + (v7 & 0xFFFF_FFFFL);
        }
        for (; end - i >= 8; i += 8) {
            long v = (long) LONGS.get(a, i);
            s0 += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        long sum = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        for (; end - i >= 2; i += 2) {
            sum += nativeWord(a[i] & 0xFF, a[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += nativeWord(a[i] & 0xFF, 0); // RFC 9293 3.1: an odd last byte is padded with zero
        }
        return sum;
    }

    /** Like {@link #addArray} over {@code length} bytes of memory at {@code address}. */
    private static long addMemory(long address, int length) {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        long s4 = 0;
        long s5 = 0;
        long s6 = 0;
        long s7 = 0;
        long i = address;
        long end = address + length;
        for (; end - i >= 64; i += 64) {
            long v0 = PlatformDependent.getLong(i);
            long v1 = PlatformDependent.getLong(i + 8);
            long v2 = PlatformDependent.getLong(i + 16);
            long v3 = PlatformDependent.getLong(i + 24);
            long v4 = PlatformDependent.getLong(i + 32);
            long v5 = PlatformDependent.getLong(i + 40);
            long v6 = PlatformDependent.getLong(i + 48);
            long v7 = PlatformDependent.getLong(i + 56);
            s0 += (v0 >>> 32) + (v0 & 0xFFFF_FFFFL);
            s1 += (v1 >>> 32) + (v1 & 0xFFFF_FFFFL);
            s2 += (v2 >>> 32) + (v2 & 0xFFFF_FFFFL);
            s3 += (v3 >>> 32) + (v3 & 0xFFFF_FFFFL);
            s4 += (v4 >>> 32) + (v4 & 0xFFFF_FFFFL);
            s5 += (v5 >>> 32) + (v5 & 0xFFFF_FFFFL);
            s6 += (v6 >>> 32) + (v6 & 0xFFFF_FFFFL);
            s7 += (v7 >>> 32) + (v7 & 0xFFFF_FFFFL);
        }
        for (; end - i >= 8; i += 8) {
            long v = PlatformDependent.getLong(i);
            s0 += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        long sum = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        for (; end - i >= 2; i += 2) {
            sum += nativeWord(PlatformDependent.getByte(i) & 0xFF, PlatformDependent.getByte(i + 1) & 0xFF);
        }
        if (i < end) {
            sum += nativeWord(PlatformDependent.getByte(i) & 0xFF, 0);
        }
        return sum;
    }

    /** The 16-bit word of bytes {@code first, second} (in memory order) as a native-order load reads it. */
    private static int nativeWord(int first, int second) {
        return LITTLE_ENDIAN ? (second << 8) | first : (first << 8) | second;
    }

    /** Short pieces (headers): word by word from the buffer. */
    private static long addByteBuf(long sum, ByteBuf buf, int index, int length) {
        int i = index;
        int end = index + length;
        for (; end - i >= 2; i += 2) {
            sum += buf.getUnsignedShort(i);
        }
        if (i < end) {
            sum += buf.getUnsignedByte(i) << 8;
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
