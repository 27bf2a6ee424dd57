package io.github.tcp4j.api;

/**
 * What a connection's handshake settled with the peer: a small cousin of Linux's {@code TCP_INFO}
 * (what {@code ss -ti} shows as {@code mss}, {@code wscale}, {@code ts} and {@code sack}).
 *
 * @param sendMss the effective maximum segment size for sending (RFC 9293 3.7.1): the smaller of
 *     the peer's MSS option and what our MTU allows, less the space the options of every segment
 *     take (12 bytes with timestamps)
 * @param windowScaling true when both SYNs carried the window scale option (RFC 7323 2)
 * @param sendWindowShift the peer's shift, which we apply to its window field (0 without scaling)
 * @param receiveWindowShift our shift, which the peer applies to our window field (0 without scaling)
 * @param timestamps true when both SYNs carried the timestamps option (RFC 7323 3.2), so every
 *     segment carries one
 * @param sackPermitted true when both SYNs carried SACK-permitted (RFC 2018), so SACK is in use
 */
public record NegotiatedOptions(int sendMss, boolean windowScaling, int sendWindowShift, int receiveWindowShift,
        boolean timestamps, boolean sackPermitted) {
}
