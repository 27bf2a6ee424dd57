package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * One host of a {@link SimNetwork}: a name, its IP addresses, the {@link SegmentTransport} its
 * stack sends through, and the {@link SimNode} that receives what arrives.
 */
public final class SimHost {

    private final SimNetwork network;
    private final String name;
    private final List<IpAddress> addresses;
    private final int index;
    private final SegmentTransport transport;
    private SimNode node;

    SimHost(SimNetwork network, String name, List<IpAddress> addresses, int index) {
        this.network = network;
        this.name = name;
        this.addresses = List.copyOf(addresses);
        this.index = index;
        this.transport = this::send;
    }

    private void send(IpAddress source, IpAddress destination, ByteBuf segment) {
        network.send(this, source, destination, segment);
    }

    /** The host's name, as given to {@link SimNetwork#addHost}. */
    public String name() {
        return name;
    }

    /** The host's addresses, in the order given. */
    public List<IpAddress> addresses() {
        return addresses;
    }

    /** The host's first address. */
    public IpAddress address() {
        return addresses.get(0);
    }

    /**
     * The transport a stack on this host sends through: segments enter the network at the
     * current virtual time. It takes ownership of each segment (see {@link SegmentTransport}).
     */
    public SegmentTransport transport() {
        return transport;
    }

    /**
     * Attaches the engine that receives this host's segments and timers, replacing any previous
     * one; {@code null} detaches it (segments that then arrive are dropped and counted as
     * {@link LinkStats#droppedNoReceiver() no receiver}).
     */
    public SimHost attach(SimNode node) {
        this.node = node;
        return this;
    }

    /** The attached engine, or null. */
    public SimNode node() {
        return node;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return name + addresses;
    }
}
