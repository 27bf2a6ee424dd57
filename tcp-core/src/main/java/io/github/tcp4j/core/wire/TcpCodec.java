package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Encodes and decodes TCP segments (RFC 9293 section 3.1) to and from Netty buffers.
 *
 * <h2>Decoding</h2>
 * The segment is the readable bytes of the input buffer, from its reader index to its writer
 * index (a segment has no length field of its own: the IP layer gives it). The input's indices
 * are not moved and its reference count is not consumed: the caller still releases it. The
 * payload is a retained slice of the input (zero-copy) that the returned segment owns.
 * Any malformation is reported as a {@link MalformedPacketException} carrying its
 * {@link MalformedReason}; nothing else is thrown, whatever the bytes.
 *
 * <h2>Encoding</h2>
 * Writes header, options (in a fixed, aligned layout, padded with NOP and EOL to a 4-byte
 * boundary) and payload at the output's writer index and fills in the checksum over the
 * pseudo-header of the given addresses. The segment's payload is read, not consumed.
 *
 * <p>Option layout on encode, in order (each part is a multiple of 4 bytes, like Linux's):
 * MSS; SACK-permitted together with timestamps; timestamps alone as NOP,NOP,TS; SACK-permitted
 * alone as NOP,NOP,SACK-permitted; NOP,window scale; NOP,NOP,SACK blocks.
 *
 * <p>Stateless and thread-safe.
 */
public final class TcpCodec {

    /** Option kinds (RFC 9293 section 3.2, RFC 7323, RFC 2018). */
    public static final int OPT_EOL = 0;
    /** No-operation, used for alignment. */
    public static final int OPT_NOP = 1;
    /** Maximum segment size, length 4. */
    public static final int OPT_MSS = 2;
    /** Window scale, length 3. */
    public static final int OPT_WINDOW_SCALE = 3;
    /** SACK permitted, length 2. */
    public static final int OPT_SACK_PERMITTED = 4;
    /** SACK blocks, length 2 + 8n. */
    public static final int OPT_SACK = 5;
    /** Timestamps, length 10. */
    public static final int OPT_TIMESTAMPS = 8;

    private static final int CHECKSUM_OFFSET = 16;

    private TcpCodec() {
    }

    // ---------------------------------------------------------------- decode

    /**
     * Decodes and verifies the checksum against the pseudo-header of {@code source} and
     * {@code destination} (RFC 9293 section 3.1, MUST-2/MUST-3).
     *
     * @return a new segment that owns a retained slice of {@code in} as payload
     * @throws MalformedPacketException if the bytes are not a valid segment or the checksum is wrong
     */
    public static TcpSegment decode(ByteBuf in, IpAddress source, IpAddress destination) throws MalformedPacketException {
        TcpSegment segment = new TcpSegment();
        decode(in, source, destination, segment);
        return segment;
    }

    /**
     * Decodes into a reused segment, verifying the checksum. {@code into} is cleared first (its
     * old payload released); on failure it is left cleared.
     */
    public static void decode(ByteBuf in, IpAddress source, IpAddress destination, TcpSegment into)
            throws MalformedPacketException {
        int length = in.readableBytes();
        try {
            // Check the structure first so a truncated buffer reports its real problem, then the sum.
            parse(in, into.clear());
            // RFC 9293 3.1 and MUST-3: the checksum covers pseudo-header, header and data.
            if (Checksum.tcp(source, destination, in, in.readerIndex(), length) != 0) {
                throw badChecksum(in, source, destination, length);
            }
        } catch (MalformedPacketException e) {
            into.clear(); // no half-decoded header survives a failure
            throw e;
        }
        attachPayload(in, into);
    }

    /**
     * Decodes into a reused segment and hands it {@code in} itself as payload, with {@code in}'s
     * reader index moved past the header: no slice is made, so a receive path that owns the
     * buffer decodes without allocating. On success the reference to {@code in} passes to
     * {@code into} (which releases it when cleared; {@code in} is released at once when the
     * segment has no payload). On failure {@code into} is left cleared and {@code in} is untouched
     * and still the caller's.
     *
     * @param verifyChecksum whether to verify the checksum (RFC 9293 MUST-2/MUST-3); false only for
     *     bytes whose integrity the transport guarantees (a checksum offload, see
     *     {@link #encode(TcpSegment, IpAddress, IpAddress, ByteBufAllocator, boolean)})
     * @throws MalformedPacketException if the bytes are not a valid segment or the checksum is wrong
     */
    public static void decodeAndTakeOver(ByteBuf in, IpAddress source, IpAddress destination, TcpSegment into,
            boolean verifyChecksum) throws MalformedPacketException {
        int length = in.readableBytes();
        try {
            parse(in, into.clear());
            if (verifyChecksum && Checksum.tcp(source, destination, in, in.readerIndex(), length) != 0) {
                throw badChecksum(in, source, destination, length);
            }
        } catch (MalformedPacketException e) {
            into.clear();
            throw e;
        }
        int headerLength = (in.getUnsignedByte(in.readerIndex() + 12) >>> 4) * 4;
        if (length == headerLength) {
            in.release();
            return; // the segment keeps its empty payload
        }
        in.skipBytes(headerLength);
        into.payload(in);
    }

    /**
     * Like {@link #decodeAndTakeOver(ByteBuf, IpAddress, IpAddress, TcpSegment, boolean)} for a
     * segment that arrives as two parts: {@code header} (exactly the header and options) and the
     * payload, bytes {@code index .. index + length} of {@code payload} (carried by reference,
     * see {@link io.github.tcp4j.core.transport.SegmentTransport#carriesPayloadByReference()}).
     * The checksum is verified over both. On success the segment takes over the reference to
     * {@code payload} (held by reference, no slice) and {@code header} is released; on failure
     * {@code into} is left cleared and both references are still the caller's.
     *
     * @throws MalformedPacketException if the header is malformed, is not exactly
     *     {@code header}'s readable bytes, or the checksum is wrong
     */
    public static void decodeAndTakeOver(ByteBuf header, ByteBuf payload, int index, int length, IpAddress source,
            IpAddress destination, TcpSegment into, boolean verifyChecksum) throws MalformedPacketException {
        int headerLength = header.readableBytes();
        try {
            parse(header, into.clear());
            int declared = (header.getUnsignedByte(header.readerIndex() + 12) >>> 4) * 4;
            if (declared != headerLength) {
                throw new MalformedPacketException(MalformedReason.TCP_DATA_OFFSET_BEYOND_BUFFER,
                        "data offset " + declared + " bytes, header part has " + headerLength);
            }
            if (verifyChecksum) {
                // RFC 9293 3.1 and MUST-3: pseudo-header, header and data; the data starts a 16-bit word
                long sum = Checksum.add(Checksum.pseudoHeaderSum(source, destination, headerLength + length), header,
                        header.readerIndex(), headerLength);
                if (Checksum.fold(sum + Checksum.add(0, payload, index, length)) != 0) {
                    throw new MalformedPacketException(MalformedReason.TCP_BAD_CHECKSUM,
                            "checksum 0x" + Integer.toHexString(header.getUnsignedShort(header.readerIndex() + CHECKSUM_OFFSET))
                                    + " does not match " + source + " -> " + destination + ", " + (headerLength + length) + " bytes");
                }
            }
        } catch (MalformedPacketException e) {
            into.clear();
            throw e;
        }
        header.release();
        into.payload(payload, index, length);
    }

    private static MalformedPacketException badChecksum(ByteBuf in, IpAddress source, IpAddress destination, int length) {
        return new MalformedPacketException(MalformedReason.TCP_BAD_CHECKSUM,
                "checksum 0x" + Integer.toHexString(in.getUnsignedShort(in.readerIndex() + CHECKSUM_OFFSET))
                        + " does not match " + source + " -> " + destination + ", " + length + " bytes");
    }

    /**
     * Decodes without checking the checksum, for bytes whose checksum is already verified or
     * irrelevant (a capture being displayed, a test). The checksum field is still recorded.
     *
     * @return a new segment that owns a retained slice of {@code in} as payload
     */
    public static TcpSegment decodeUnverified(ByteBuf in) throws MalformedPacketException {
        TcpSegment segment = new TcpSegment();
        parse(in, segment);
        attachPayload(in, segment);
        return segment;
    }

    private static void attachPayload(ByteBuf in, TcpSegment into) {
        int headerLength = (in.getUnsignedByte(in.readerIndex() + 12) >>> 4) * 4;
        int payloadLength = in.readableBytes() - headerLength;
        into.payload(payloadLength == 0 ? Unpooled.EMPTY_BUFFER
                : in.retainedSlice(in.readerIndex() + headerLength, payloadLength));
    }

    /** Reads header and options into {@code s}; does not touch the payload. */
    private static void parse(ByteBuf in, TcpSegment s) throws MalformedPacketException {
        int base = in.readerIndex();
        int length = in.readableBytes();
        if (length < TcpSegment.MIN_HEADER_LENGTH) {
            throw new MalformedPacketException(MalformedReason.TCP_TRUNCATED_HEADER,
                    length + " bytes, the fixed header needs 20");
        }
        int dataOffset = in.getUnsignedByte(base + 12) >>> 4;
        int headerLength = dataOffset * 4;
        // RFC 9293 section 3.1: data offset counts 32-bit words, at least 5.
        if (dataOffset < 5) {
            throw new MalformedPacketException(MalformedReason.TCP_DATA_OFFSET_TOO_SMALL,
                    "data offset " + dataOffset + " words");
        }
        if (headerLength > length) {
            throw new MalformedPacketException(MalformedReason.TCP_DATA_OFFSET_BEYOND_BUFFER,
                    "data offset " + dataOffset + " words = " + headerLength + " bytes, segment has " + length);
        }
        s.sourcePort(in.getUnsignedShort(base))
                .destinationPort(in.getUnsignedShort(base + 2))
                .seq(in.getInt(base + 4))
                .ack(in.getInt(base + 8))
                .flags(in.getUnsignedByte(base + 13))
                .window(in.getUnsignedShort(base + 14))
                .checksum(in.getUnsignedShort(base + CHECKSUM_OFFSET))
                .urgentPointer(in.getUnsignedShort(base + 18));
        parseOptions(in, base + TcpSegment.MIN_HEADER_LENGTH, base + headerLength, s);
    }

    private static void parseOptions(ByteBuf in, int from, int end, TcpSegment s) throws MalformedPacketException {
        int i = from;
        while (i < end) {
            int kind = in.getUnsignedByte(i);
            if (kind == OPT_EOL) {
                return; // RFC 9293 3.2: end of option list; the rest is padding
            }
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new MalformedPacketException(MalformedReason.TCP_OPTION_PAST_HEADER,
                        "option kind " + kind + " at header byte " + (i - from + 20) + " has no length byte");
            }
            int len = in.getUnsignedByte(i + 1);
            // RFC 9293 MUST-64: an illegal option length must not crash the receiver.
            if (len < 2) {
                throw new MalformedPacketException(MalformedReason.TCP_OPTION_LENGTH_TOO_SMALL,
                        "option kind " + kind + " has length " + len);
            }
            if (i + len > end) {
                throw new MalformedPacketException(MalformedReason.TCP_OPTION_PAST_HEADER,
                        "option kind " + kind + " of length " + len + " runs " + (i + len - end) + " bytes past the header");
            }
            switch (kind) {
                case OPT_MSS:
                    expectLength(kind, len, 4);
                    s.mss(in.getUnsignedShort(i + 2));
                    break;
                case OPT_WINDOW_SCALE:
                    expectLength(kind, len, 3);
                    s.windowScale(in.getUnsignedByte(i + 2));
                    break;
                case OPT_SACK_PERMITTED:
                    expectLength(kind, len, 2);
                    s.sackPermitted(true);
                    break;
                case OPT_SACK:
                    if ((len - 2) % 8 != 0 || len < 10 || len > 2 + 8 * TcpSegment.MAX_SACK_BLOCKS) {
                        throw new MalformedPacketException(MalformedReason.TCP_OPTION_BAD_LENGTH,
                                "SACK option length " + len + " is not 2 + 8n with n in 1..4");
                    }
                    s.clearSackBlocks();
                    for (int b = i + 2; b < i + len; b += 8) {
                        s.addSackBlock(in.getInt(b), in.getInt(b + 4));
                    }
                    break;
                case OPT_TIMESTAMPS:
                    expectLength(kind, len, 10);
                    s.timestamps(in.getInt(i + 2), in.getInt(i + 6));
                    break;
                default:
                    break; // RFC 9293 MUST-68: unknown options are skipped by their length
            }
            i += len;
        }
    }

    private static void expectLength(int kind, int len, int expected) throws MalformedPacketException {
        if (len != expected) {
            throw new MalformedPacketException(MalformedReason.TCP_OPTION_BAD_LENGTH,
                    "option kind " + kind + " must have length " + expected + ", has " + len);
        }
    }

    // ---------------------------------------------------------------- encode

    /**
     * The number of option bytes {@link #encode} writes for {@code s}, padding included.
     *
     * @throws IllegalArgumentException if the options need more than 40 bytes
     */
    public static int optionsLength(TcpSegment s) {
        int n = 0;
        if (s.mss() >= 0) {
            n += 4;
        }
        if (s.hasTimestamps()) {
            n += 12; // with SACK-permitted folded in, or NOP,NOP before it
        } else if (s.sackPermitted()) {
            n += 4;
        }
        if (s.windowScale() >= 0) {
            n += 4;
        }
        if (s.sackBlockCount() > 0) {
            n += 4 + 8 * s.sackBlockCount();
        }
        if (n > TcpSegment.MAX_HEADER_LENGTH - TcpSegment.MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("options need " + n + " bytes, at most 40 fit: " + s);
        }
        return n;
    }

    /** Header length (20 + options) of the encoding of {@code s}. */
    public static int headerLength(TcpSegment s) {
        return TcpSegment.MIN_HEADER_LENGTH + optionsLength(s);
    }

    /** Total bytes of the encoding of {@code s}: header, options and payload. */
    public static int encodedLength(TcpSegment s) {
        return headerLength(s) + s.payloadLength();
    }

    /**
     * Encodes {@code s} into a new buffer from {@code alloc}, sized exactly. The caller owns (and
     * releases, or hands to a transport) the returned buffer.
     *
     * @throws IllegalArgumentException if the options do not fit, the addresses mix IPv4 and IPv6,
     *     or the segment is longer than 65535 bytes
     */
    public static ByteBuf encode(TcpSegment s, IpAddress source, IpAddress destination, ByteBufAllocator alloc) {
        return encode(s, source, destination, alloc, true);
    }

    /**
     * Like {@link #encode(TcpSegment, IpAddress, IpAddress, ByteBufAllocator)}, optionally without
     * computing the checksum: with {@code computeChecksum} false the checksum field is 0 (and so is
     * {@code s.checksum()}). That is a checksum offload, as a network card or Linux's loopback
     * does it: only for a transport that guarantees integrity and whose receivers do not verify
     * (see {@link #decodeAndTakeOver}); anywhere else such a segment is dropped as corrupted.
     */
    public static ByteBuf encode(TcpSegment s, IpAddress source, IpAddress destination, ByteBufAllocator alloc,
            boolean computeChecksum) {
        int length = encodedLength(s);
        ByteBuf out = alloc.buffer(length, length);
        try {
            encode(s, source, destination, out, computeChecksum);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Encodes {@code s} at the writer index of {@code out} (which grows as needed) and computes
     * the checksum over the pseudo-header of {@code source} and {@code destination}. On return the
     * writer index has moved past the segment and {@code s.checksum()} holds the value written.
     *
     * @throws IllegalArgumentException see {@link #encode(TcpSegment, IpAddress, IpAddress, ByteBufAllocator)}
     */
    public static void encode(TcpSegment s, IpAddress source, IpAddress destination, ByteBuf out) {
        encode(s, source, destination, out, true);
    }

    private static void encode(TcpSegment s, IpAddress source, IpAddress destination, ByteBuf out, boolean computeChecksum) {
        int headerLength = checkedHeaderLength(s, source, destination);
        int length = headerLength + s.payloadLength();
        int start = out.writerIndex();
        out.ensureWritable(length);
        writeHeader(s, headerLength, out);
        // The payload is copied and summed in one go (its first byte starts a 16-bit word: the
        // header is a multiple of 4 bytes), then the pseudo-header and header are added.
        long payloadSum = s.copyPayloadTo(out, start + headerLength, computeChecksum);
        out.writerIndex(start + length);
        fillChecksum(s, source, destination, out, start, headerLength, length, payloadSum, computeChecksum);
    }

    /**
     * Encodes only the header and options of {@code s} into a new buffer from {@code alloc}, with
     * the checksum computed over the pseudo-header, the header and the payload's bytes where they
     * lie (read, not copied): for a transport that carries the payload by reference beside the
     * header ({@link io.github.tcp4j.core.transport.SegmentTransport#carriesPayloadByReference()}).
     * The caller owns the returned buffer.
     *
     * @param computeChecksum as in {@link #encode(TcpSegment, IpAddress, IpAddress, ByteBufAllocator, boolean)}
     * @throws IllegalArgumentException as {@link #encode(TcpSegment, IpAddress, IpAddress, ByteBufAllocator)}
     */
    public static ByteBuf encodeHeader(TcpSegment s, IpAddress source, IpAddress destination, ByteBufAllocator alloc,
            boolean computeChecksum) {
        int headerLength = checkedHeaderLength(s, source, destination);
        ByteBuf out = alloc.buffer(headerLength, headerLength);
        try {
            writeHeader(s, headerLength, out);
            long payloadSum = computeChecksum ? s.payloadSum() : 0;
            fillChecksum(s, source, destination, out, 0, headerLength, headerLength + s.payloadLength(), payloadSum,
                    computeChecksum);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static int checkedHeaderLength(TcpSegment s, IpAddress source, IpAddress destination) {
        if (source.isV4() != destination.isV4()) {
            throw new IllegalArgumentException("mixed address families: " + source + " -> " + destination);
        }
        int headerLength = TcpSegment.MIN_HEADER_LENGTH + optionsLength(s);
        int length = headerLength + s.payloadLength();
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("segment of " + length + " bytes exceeds 65535");
        }
        return headerLength;
    }

    private static void writeHeader(TcpSegment s, int headerLength, ByteBuf out) {
        out.writeShort(s.sourcePort());
        out.writeShort(s.destinationPort());
        out.writeInt(s.seq());
        out.writeInt(s.ack());
        out.writeByte((headerLength / 4) << 4); // data offset; reserved bits zero
        out.writeByte(s.flags());
        out.writeShort(s.window());
        out.writeShort(0); // checksum, filled in below
        out.writeShort(s.urgentPointer());
        writeOptions(s, out);
    }

    /** RFC 9293 3.1: the checksum over pseudo-header, header and payload (whose sum is given). */
    private static void fillChecksum(TcpSegment s, IpAddress source, IpAddress destination, ByteBuf out, int start,
            int headerLength, int length, long payloadSum, boolean computeChecksum) {
        int checksum = 0;
        if (computeChecksum) {
            long sum = Checksum.add(Checksum.pseudoHeaderSum(source, destination, length), out, start, headerLength);
            checksum = Checksum.fold(sum + payloadSum);
        }
        out.setShort(start + CHECKSUM_OFFSET, checksum);
        s.checksum(checksum);
    }

    private static void writeOptions(TcpSegment s, ByteBuf out) {
        if (s.mss() >= 0) {
            out.writeByte(OPT_MSS).writeByte(4).writeShort(s.mss());
        }
        if (s.hasTimestamps()) {
            if (s.sackPermitted()) {
                out.writeByte(OPT_SACK_PERMITTED).writeByte(2);
            } else {
                out.writeByte(OPT_NOP).writeByte(OPT_NOP);
            }
            out.writeByte(OPT_TIMESTAMPS).writeByte(10).writeInt(s.tsVal()).writeInt(s.tsEcr());
        } else if (s.sackPermitted()) {
            out.writeByte(OPT_NOP).writeByte(OPT_NOP).writeByte(OPT_SACK_PERMITTED).writeByte(2);
        }
        if (s.windowScale() >= 0) {
            out.writeByte(OPT_NOP).writeByte(OPT_WINDOW_SCALE).writeByte(3).writeByte(s.windowScale());
        }
        int blocks = s.sackBlockCount();
        if (blocks > 0) {
            out.writeByte(OPT_NOP).writeByte(OPT_NOP).writeByte(OPT_SACK).writeByte(2 + 8 * blocks);
            for (int i = 0; i < blocks; i++) {
                out.writeInt(s.sackLeft(i)).writeInt(s.sackRight(i));
            }
        }
    }
}
