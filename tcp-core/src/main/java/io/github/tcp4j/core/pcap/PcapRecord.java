package io.github.tcp4j.core.pcap;

/**
 * One packet read from a pcap file.
 *
 * @param timestampNanos the record's time in nanoseconds since the capture's epoch (the clock's
 *     origin, for a capture of the simulator)
 * @param originalLength the packet's length on the wire
 * @param data the captured bytes (at most the file's snap length); the array belongs to the caller
 */
public record PcapRecord(long timestampNanos, int originalLength, byte[] data) {
}
