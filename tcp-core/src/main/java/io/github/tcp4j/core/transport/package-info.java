/**
 * The pluggable segment transport and the simulated network.
 *
 * <h2>The SPI</h2>
 * A stack sends through a {@link io.github.tcp4j.core.transport.SegmentTransport} and receives
 * through a {@link io.github.tcp4j.core.transport.SegmentReceiver}. A segment travels as its
 * encoded bytes (TCP header, options and payload, checksum already computed) together with the
 * source and destination IP addresses its pseudo-header checksum was computed with; the ports are
 * in the header bytes. IPv4 and IPv6 are both carried, never mixed in one segment. No IP header is
 * ever built: the IP layer is reduced to those two addresses.
 *
 * <p>A stack that runs inside the simulator is a {@link io.github.tcp4j.core.transport.SimNode}:
 * a receiver that also tells the simulator its next timer deadline and is called back when it is
 * due, so virtual time can jump over idle stretches.
 *
 * <h2>Ownership</h2>
 * A buffer's reference moves with it, exactly once:
 * <ul>
 *   <li>{@code SegmentTransport.send} takes the caller's reference; the transport releases it,
 *       whether it delivers, queues or drops the segment;</li>
 *   <li>{@code SegmentReceiver.receive} gives the receiver a reference it must release;</li>
 *   <li>a {@link io.github.tcp4j.core.transport.SegmentTap} only borrows: it must not release,
 *       keep or move the indices of what it sees.</li>
 * </ul>
 * Received bytes are unchecked: a corrupting link delivers corrupted segments and the receiver's
 * checksum verification is what catches them.
 *
 * <h2>The simulated network</h2>
 * {@link io.github.tcp4j.core.transport.SimNetwork} is a seeded, deterministic network on
 * virtual time: hosts ({@link io.github.tcp4j.core.transport.SimHost}) joined by links
 * ({@link io.github.tcp4j.core.transport.SimLink}) whose two directions
 * ({@link io.github.tcp4j.core.transport.LinkDirection}) each have their own
 * {@link io.github.tcp4j.core.transport.LinkConfig} (latency, jitter, bandwidth, queue, loss,
 * duplication, reordering, corruption, MTU), partitions and counters
 * ({@link io.github.tcp4j.core.transport.LinkStats}). Real transports (UDP, packet channels,
 * TUN) live in tcp-api and tcp-tun.
 */
package io.github.tcp4j.core.transport;
