package io.github.tcp4j.core.host;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash that is fast on short inputs
 * and unpredictable without the key, which is what RFC 6528 asks of the function F that hides
 * initial sequence numbers. Written from the paper's description; checked against its test
 * vectors.
 *
 * <p>An instance holds the four state words so that hashing allocates nothing; it is not
 * thread-safe.
 */
final class SipHash {

    private long v0;
    private long v1;
    private long v2;
    private long v3;

    /** SipHash-2-4 of {@code length} bytes of {@code message} under the 128-bit key (k0, k1), little-endian as in the paper. */
    long hash(long k0, long k1, byte[] message, int length) {
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
        int end = length - (length % 8);
        for (int i = 0; i < end; i += 8) {
            compress(littleEndian(message, i, 8));
        }
        // The last word: the remaining bytes, with the message length (mod 256) in the top byte.
        compress(((long) length << 56) | littleEndian(message, end, length - end));
        v2 ^= 0xff;
        rounds(4); // d = 4 finalization rounds
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void compress(long m) {
        v3 ^= m;
        rounds(2); // c = 2 compression rounds
        v0 ^= m;
    }

    private void rounds(int n) {
        for (int r = 0; r < n; r++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }

    private static long littleEndian(byte[] b, int from, int count) {
        long v = 0;
        for (int i = count - 1; i >= 0; i--) {
            v = (v << 8) | (b[from + i] & 0xFFL);
        }
        return v;
    }
}
