package io.github.tcp4j.core.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as an immutable value, without the allocations of {@link InetAddress}
 * (whose {@code getAddress()} copies an array on every call).
 *
 * <p>IPv4 addresses are held as one {@code int} in network byte order (the first octet is the
 * most significant byte); IPv6 addresses as two {@code long}s. Instances are cheap to compare and
 * hash, so they serve as keys of connection tables and as the endpoints a
 * {@link io.github.tcp4j.core.transport.SegmentTransport} carries.
 */
public final class IpAddress {

    private final boolean v6;
    private final long hi;
    private final long lo;

    private IpAddress(boolean v6, long hi, long lo) {
        this.v6 = v6;
        this.hi = hi;
        this.lo = lo;
    }

    /** The IPv4 address whose four octets are {@code address}, most significant first. */
    public static IpAddress v4(int address) {
        return new IpAddress(false, 0, address & 0xFFFF_FFFFL);
    }

    /** The IPv4 address a.b.c.d; each octet must be 0..255. */
    public static IpAddress v4(int a, int b, int c, int d) {
        for (int octet : new int[] {a, b, c, d}) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("IPv4 octet out of range: " + octet);
            }
        }
        return v4((a << 24) | (b << 16) | (c << 8) | d);
    }

    /** The IPv6 address whose 128 bits are {@code hi} (first 64) followed by {@code lo}. */
    public static IpAddress v6(long hi, long lo) {
        return new IpAddress(true, hi, lo);
    }

    /**
     * The address held in {@code bytes}: 4 bytes for IPv4, 16 for IPv6.
     *
     * @throws IllegalArgumentException for any other length
     */
    public static IpAddress of(byte[] bytes) {
        if (bytes.length == 4) {
            return v4(((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF));
        }
        if (bytes.length == 16) {
            long h = 0;
            long l = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (bytes[i] & 0xFF);
                l = (l << 8) | (bytes[i + 8] & 0xFF);
            }
            return v6(h, l);
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
    }

    /** The same address as a {@code java.net} value. */
    public static IpAddress of(InetAddress address) {
        return of(address.getAddress());
    }

    /**
     * Parses a numeric IPv4 ("10.0.0.1") or IPv6 ("fd00::1") literal. Host names are refused: this
     * never does a DNS look-up.
     *
     * @throws IllegalArgumentException if {@code text} is not a numeric address literal
     */
    public static IpAddress parse(String text) {
        if (text.indexOf(':') < 0) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("not an IPv4 literal: " + text);
            }
            int[] octets = new int[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("not an IPv4 literal: " + text);
                }
                octets[i] = Integer.parseInt(parts[i]);
            }
            return v4(octets[0], octets[1], octets[2], octets[3]);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
            if (!ok) {
                throw new IllegalArgumentException("not an IPv6 literal: " + text);
            }
        }
        try {
            // A numeric literal made only of hex digits, ':' and '.' never triggers a look-up.
            return of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 literal: " + text, e);
        }
    }

    /** True for an IPv4 address, false for IPv6. */
    public boolean isV4() {
        return !v6;
    }

    /** True for an IPv6 address. */
    public boolean isV6() {
        return v6;
    }

    /**
     * The 32 bits of an IPv4 address, first octet most significant.
     *
     * @throws IllegalStateException for an IPv6 address
     */
    public int v4Bits() {
        if (v6) {
            throw new IllegalStateException("not an IPv4 address: " + this);
        }
        return (int) lo;
    }

    /** The first 64 bits of an IPv6 address (0 for IPv4). */
    public long v6High() {
        return hi;
    }

    /** The last 64 bits of an IPv6 address (the IPv4 bits, zero-extended, for IPv4). */
    public long v6Low() {
        return lo;
    }

    /** The address length in bytes: 4 or 16. */
    public int byteLength() {
        return v6 ? 16 : 4;
    }

    /** A new array holding the address bytes in network order. */
    public byte[] toBytes() {
        byte[] out = new byte[byteLength()];
        copyTo(out, 0);
        return out;
    }

    /**
     * Writes the address bytes in network order into {@code dst} at {@code offset}, without
     * allocating.
     *
     * @return the number of bytes written: 4 or 16
     */
    public int copyTo(byte[] dst, int offset) {
        if (!v6) {
            int a = (int) lo;
            dst[offset] = (byte) (a >>> 24);
            dst[offset + 1] = (byte) (a >>> 16);
            dst[offset + 2] = (byte) (a >>> 8);
            dst[offset + 3] = (byte) a;
            return 4;
        }
        for (int i = 0; i < 8; i++) {
            dst[offset + i] = (byte) (hi >>> (56 - 8 * i));
            dst[offset + 8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return 16;
    }

    /**
     * The sum of the address's 16-bit words, as the TCP pseudo-header checksum needs it
     * (RFC 9293 section 3.1); not yet folded.
     */
    public long wordSum() {
        long sum = (lo & 0xFFFF) + ((lo >>> 16) & 0xFFFF);
        if (v6) {
            sum += ((lo >>> 32) & 0xFFFF) + (lo >>> 48)
                    + (hi & 0xFFFF) + ((hi >>> 16) & 0xFFFF) + ((hi >>> 32) & 0xFFFF) + (hi >>> 48);
        }
        return sum;
    }

    /** The same address as a {@code java.net} value. */
    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress other && other.v6 == v6 && other.hi == hi && other.lo == lo;
    }

    @Override
    public int hashCode() {
        long h = hi * 0x9E3779B97F4A7C15L + lo;
        return (int) (h ^ (h >>> 32)) ^ (v6 ? 1 : 0);
    }

    /** Dotted quad for IPv4; the compressed RFC 5952 form for IPv6. */
    @Override
    public String toString() {
        if (!v6) {
            int a = (int) lo;
            return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
        }
        InetAddress ia = toInetAddress();
        if (ia instanceof Inet6Address) {
            return compressV6(ia.getHostAddress());
        }
        // An IPv4-mapped IPv6 address comes back from java.net as Inet4Address; keep it IPv6.
        return "::ffff:" + ((Inet4Address) ia).getHostAddress();
    }

    private static String compressV6(String full) {
        // java.net prints e.g. fd00:0:0:0:0:0:0:1; compress the longest run of zero groups (RFC 5952).
        String[] groups = full.split(":", -1);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String left = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String right = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return left + "::" + right;
    }
}
