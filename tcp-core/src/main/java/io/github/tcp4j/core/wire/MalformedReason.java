package io.github.tcp4j.core.wire;

/**
 * Why bytes could not be decoded as a TCP segment or an IPv4 header. Each decoder failure carries
 * exactly one of these, so a stack can count drops by reason.
 */
public enum MalformedReason {
    /** Fewer than 20 bytes: not even the fixed TCP header is there. */
    TCP_TRUNCATED_HEADER,
    /** The data offset is below 5 words (RFC 9293 section 3.1: the header is at least 20 bytes). */
    TCP_DATA_OFFSET_TOO_SMALL,
    /** The data offset points past the end of the bytes received. */
    TCP_DATA_OFFSET_BEYOND_BUFFER,
    /** An option length byte is 0 or 1 (it counts its own kind and length bytes, so is >= 2). */
    TCP_OPTION_LENGTH_TOO_SMALL,
    /** An option, or its length byte, runs past the end of the header (RFC 9293 MUST-64). */
    TCP_OPTION_PAST_HEADER,
    /** A known option has a length its definition forbids (e.g. an MSS option that is not 4 bytes). */
    TCP_OPTION_BAD_LENGTH,
    /** The TCP checksum over pseudo-header, header and data is wrong (RFC 9293 section 3.1, MUST-3). */
    TCP_BAD_CHECKSUM,
    /** Fewer than 20 bytes, or fewer than the IHL says: the IPv4 header is cut short. */
    IP_TRUNCATED_HEADER,
    /** The version field is not 4. */
    IP_BAD_VERSION,
    /** The IHL is below 5 words (RFC 791: the header is at least 20 bytes). */
    IP_IHL_TOO_SMALL,
    /** The total length is shorter than the header, or longer than the bytes received. */
    IP_TOTAL_LENGTH_MISMATCH,
    /** The IPv4 header checksum is wrong. */
    IP_BAD_HEADER_CHECKSUM
}
