/**
 * The pluggable segment transport and the simulated network.
 *
 * <p>A stack sends through a {@link io.github.tcp4j.core.transport.SegmentTransport} and receives
 * through a {@link io.github.tcp4j.core.transport.SegmentReceiver}; segments travel as encoded
 * bytes with their IP addresses. Ownership of a buffer always moves with it: the transport
 * releases what it is sent, the receiver releases what it is handed, a
 * {@link io.github.tcp4j.core.transport.SegmentTap} only borrows.
 *
 * <p>{@link io.github.tcp4j.core.transport.SimNetwork} is a seeded, deterministic network on
 * virtual time with per-direction latency, jitter, bandwidth, queues, loss, duplication,
 * reordering, corruption, MTU and partitions. Real transports (UDP, packet channels, TUN) live in
 * tcp-api and tcp-tun.
 */
package io.github.tcp4j.core.transport;
