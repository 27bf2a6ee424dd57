package io.github.tcp4j.api;

/**
 * What a connection's handshake settled with the peer, as far as the socket can tell today (a
 * small cousin of Linux's {@code TCP_INFO}).
 *
 * @param sendMss the effective maximum segment size for sending (RFC 9293 3.7.1): the smaller of
 *     the peer's MSS option and what our MTU allows, less the space the options of every segment
 *     take (12 bytes with timestamps)
 * @param timestamps true when both sides sent the timestamps option in their SYNs (RFC 7323 3.2),
 *     so every segment carries one
 */
public record NegotiatedOptions(int sendMss, boolean timestamps) {
}
