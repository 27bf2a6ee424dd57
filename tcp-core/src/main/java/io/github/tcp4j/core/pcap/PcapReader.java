package io.github.tcp4j.core.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads classic pcap files: both timestamp precisions, both byte orders. Used by tests to read
 * back what {@link PcapWriter} wrote, and by tools that replay captures.
 *
 * <p>Not thread-safe.
 */
public final class PcapReader implements Closeable {

    private final InputStream in;
    private final boolean littleEndian;
    private final PcapPrecision precision;
    private final int snapLength;
    private final int linkType;
    private final byte[] recordHeader = new byte[16];

    /**
     * Reads the file header from {@code in}, which the reader owns from now on.
     *
     * @throws PcapFormatException if the stream does not start with a pcap file header
     */
    public PcapReader(InputStream in) throws IOException {
        this.in = Objects.requireNonNull(in, "in");
        byte[] header = new byte[24];
        if (!readFully(header)) {
            throw new PcapFormatException("file too short for a pcap header");
        }
        int magicLe = intAt(header, 0, true);
        int magicBe = intAt(header, 0, false);
        PcapPrecision p = null;
        boolean le = true;
        for (PcapPrecision candidate : PcapPrecision.values()) {
            if (candidate.magic() == magicLe) {
                p = candidate;
                le = true;
            } else if (candidate.magic() == magicBe) {
                p = candidate;
                le = false;
            }
        }
        if (p == null) {
            throw new PcapFormatException("not a pcap file: magic 0x" + Integer.toHexString(magicBe));
        }
        this.precision = p;
        this.littleEndian = le;
        this.snapLength = intAt(header, 16, le);
        this.linkType = intAt(header, 20, le);
    }

    /** The file's timestamp precision. */
    public PcapPrecision precision() {
        return precision;
    }

    /** The file's link type (101 for raw IP). */
    public int linkType() {
        return linkType;
    }

    /** The file's snap length. */
    public int snapLength() {
        return snapLength;
    }

    /**
     * The next record, or null at the end of the file.
     *
     * @throws PcapFormatException if the file ends inside a record or a length is impossible
     */
    public PcapRecord next() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        recordHeader[0] = (byte) first;
        if (!readFully(recordHeader, 1, 15)) {
            throw new PcapFormatException("file ends inside a record header");
        }
        long seconds = Integer.toUnsignedLong(intAt(recordHeader, 0, littleEndian));
        long sub = Integer.toUnsignedLong(intAt(recordHeader, 4, littleEndian));
        int captured = intAt(recordHeader, 8, littleEndian);
        int original = intAt(recordHeader, 12, littleEndian);
        if (captured < 0 || captured > Math.max(snapLength, 262_144)) {
            throw new PcapFormatException("impossible captured length " + Integer.toUnsignedString(captured));
        }
        byte[] data = new byte[captured];
        if (!readFully(data)) {
            throw new PcapFormatException("file ends inside a record of " + captured + " bytes");
        }
        return new PcapRecord(seconds * 1_000_000_000L + sub * precision.nanosPerUnit(), original, data);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean readFully(byte[] b) throws IOException {
        return readFully(b, 0, b.length);
    }

    /** Reads exactly {@code length} bytes; false if the stream ends first. */
    private boolean readFully(byte[] b, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(b, offset + done, length - done);
            if (n < 0) {
                return false;
            }
            done += n;
        }
        return true;
    }

    private static int intAt(byte[] b, int at, boolean le) {
        if (le) {
            return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
        }
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
