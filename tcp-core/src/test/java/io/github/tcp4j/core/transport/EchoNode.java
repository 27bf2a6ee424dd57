package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;

/**
 * The trivial host the network is tested with until the TCP engine exists: it drops what fails
 * the checksum (counting it) and sends everything else back with addresses and ports swapped.
 * Swapping keeps the checksum valid, because the one's complement sum does not depend on the
 * order of the words it adds.
 */
final class EchoNode implements SimNode {

    private final SegmentTransport transport;
    int echoed;
    int corruptedDrops;

    EchoNode(SimHost host) {
        this.transport = host.transport();
    }

    @Override
    public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
        int index = segment.readerIndex();
        if (Checksum.tcp(source, destination, segment, index, segment.readableBytes()) != 0) {
            corruptedDrops++;
            segment.release();
            return;
        }
        int sourcePort = segment.getUnsignedShort(index);
        segment.setShort(index, segment.getUnsignedShort(index + 2));
        segment.setShort(index + 2, sourcePort);
        echoed++;
        transport.send(destination, source, segment); // ownership passes on
    }
}
