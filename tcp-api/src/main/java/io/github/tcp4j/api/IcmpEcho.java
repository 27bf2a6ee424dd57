package io.github.tcp4j.api;

import io.github.tcp4j.core.wire.Checksum;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The ICMP echo server every host must have (RFC 1122 section 3.2.2.6): it turns an echo request
 * (RFC 792: type 8, code 0, identifier, sequence number, data) into the echo reply (type 0, the
 * same identifier, sequence number and data), so {@code ping} gets an answer from a tcp4j address.
 * Stateless.
 */
final class IcmpEcho {

    /** IANA protocol number of ICMP, as in the IPv4 header. */
    static final int PROTOCOL_ICMP = 1;
    /** RFC 792: the echo message's type. */
    static final int TYPE_ECHO_REQUEST = 8;
    /** RFC 792: the echo reply message's type. */
    static final int TYPE_ECHO_REPLY = 0;
    /** Type, code, checksum, identifier, sequence number. */
    static final int HEADER_LENGTH = 8;
    private static final int TTL = 64;

    private IcmpEcho() {
    }

    /**
     * True when {@code message} (the readable bytes: an ICMP message, the IPv4 payload) is whole:
     * at least the 8 bytes of an echo header and a correct checksum (RFC 792: the one's complement
     * sum over the whole message).
     */
    static boolean isIntact(ByteBuf message) {
        int base = message.readerIndex();
        int length = message.readableBytes();
        return length >= HEADER_LENGTH && Checksum.fold(Checksum.add(0, message, base, length)) == 0;
    }

    /** True when the intact message {@code message} is an echo request (RFC 792: type 8, code 0). */
    static boolean isEchoRequest(ByteBuf message) {
        int base = message.readerIndex();
        return message.getUnsignedByte(base) == TYPE_ECHO_REQUEST && message.getUnsignedByte(base + 1) == 0;
    }

    /**
     * The IPv4 packet answering the echo request {@code request} that {@code requester} sent to
     * {@code local}: addresses swapped (RFC 1122 3.2.2.6: the reply's source is the request's
     * destination), type 0, everything else of the message copied, a new checksum. The caller owns
     * the returned buffer; {@code request} is only read.
     */
    static ByteBuf reply(ByteBufAllocator alloc, IpAddress local, IpAddress requester, ByteBuf request, int identification) {
        int length = request.readableBytes();
        ByteBuf packet = alloc.ioBuffer(Ipv4Header.MIN_LENGTH + length);
        new Ipv4Header(0, Ipv4Header.MIN_LENGTH + length, identification, 0, 0, TTL, PROTOCOL_ICMP, local, requester)
                .encode(packet);
        int start = packet.writerIndex();
        packet.writeBytes(request, request.readerIndex(), length);
        packet.setByte(start, TYPE_ECHO_REPLY); // RFC 792: the echo reply is the request with type 0
        packet.setShort(start + 2, 0);
        packet.setShort(start + 2, Checksum.fold(Checksum.add(0, packet, start, length)));
        return packet;
    }
}
