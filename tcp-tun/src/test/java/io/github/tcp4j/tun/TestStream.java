package io.github.tcp4j.tun;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The bytes the interop tests send: a seeded pseudo-random stream, written and hashed (SHA-256) in
 * 64 KiB chunks, so both ends of a transfer (this JVM and a {@link KernelPeer} process) can check
 * 100 MB without keeping it.
 */
final class TestStream {

    static final int CHUNK = 64 * 1024;

    private TestStream() {
    }

    /** Writes {@code length} bytes of stream {@code seed} to {@code out}; returns their SHA-256 in hex. */
    static String write(OutputStream out, long length, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = sha256();
        byte[] chunk = new byte[CHUNK];
        ByteBuffer longs = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        long left = length;
        while (left > 0) {
            longs.clear();
            while (longs.hasRemaining()) {
                longs.putLong(random.nextLong());
            }
            int n = (int) Math.min(CHUNK, left);
            sha.update(chunk, 0, n);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(sha.digest());
    }

    /** What {@link #read} returns: the bytes read until end of stream, and their SHA-256 in hex. */
    record Received(long length, String sha256) {
    }

    /** Reads {@code in} to its end, hashing what comes. */
    static Received read(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] chunk = new byte[CHUNK];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) >= 0) {
            sha.update(chunk, 0, n);
            total += n;
        }
        return new Received(total, HexFormat.of().formatHex(sha.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
