package io.github.tcp4j.core.pcap;

/** Timestamp resolution of a classic pcap file, told apart by the file's magic number. */
public enum PcapPrecision {
    /** Microseconds: magic 0xa1b2c3d4, what every pcap reader understands. */
    MICROSECONDS(0xA1B2C3D4, 1_000),
    /** Nanoseconds: magic 0xa1b23c4d, understood by Wireshark, tshark and tcpdump. */
    NANOSECONDS(0xA1B23C4D, 1);

    private final int magic;
    private final long nanosPerUnit;

    PcapPrecision(int magic, long nanosPerUnit) {
        this.magic = magic;
        this.nanosPerUnit = nanosPerUnit;
    }

    /** The magic number that opens a file of this precision. */
    public int magic() {
        return magic;
    }

    /** Nanoseconds in one unit of the sub-second timestamp field. */
    public long nanosPerUnit() {
        return nanosPerUnit;
    }
}
