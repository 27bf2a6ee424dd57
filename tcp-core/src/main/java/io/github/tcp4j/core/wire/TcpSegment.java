package io.github.tcp4j.core.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Objects;

/**
 * One TCP segment: the header fields of RFC 9293 section 3.1, the options tcp4j understands, and
 * the payload.
 *
 * <p>The object is a mutable holder with fluent setters, so a receive path can decode into one
 * reused instance ({@link TcpCodec#decode(ByteBuf, IpAddress, IpAddress, TcpSegment)}) without
 * allocating. Sequence and acknowledgment numbers are the raw 32-bit fields; compare them with
 * {@link SeqNum}, never with {@code <}.
 *
 * <h2>Options</h2>
 * Each known option is a field that is either absent or holds a value: MSS ({@link #mss()}, -1
 * when absent), window scale ({@link #windowScale()}, -1 when absent; the raw shift count as
 * received, which RFC 7323 says to clamp to 14 when using it), SACK-permitted, up to four SACK
 * blocks, and timestamps (TSval, TSecr). EOL and NOP are layout only and not kept; unknown options
 * are skipped by their length when decoding.
 *
 * <h2>Who releases the payload</h2>
 * The segment owns one reference to its payload. {@link #payload(ByteBuf)} hands the buffer's
 * reference to the segment; {@link #release()} (or {@link #clear()}) releases it. A decoded
 * segment's payload is a retained slice of the decoded buffer (no bytes are copied), so the
 * caller releases both the input buffer and the segment, in either order. {@link #payload()}
 * lends the buffer: retain it to keep it beyond the segment's life.
 *
 * <p>An outgoing segment may instead borrow its payload from a {@link PayloadSource} (a
 * connection's send buffer, {@link #payload(PayloadSource, int, int)}): then it owns nothing, the
 * encoder copies the bytes straight from the source, and the loan lasts until the segment is
 * encoded or cleared. Asking such a segment for {@link #payload()} copies the bytes into a buffer
 * of its own first (for a trace or a test; the data path never asks).
 *
 * <h2>Equality</h2>
 * Two segments are equal when every header field except the checksum, every option and the
 * payload bytes are equal. The checksum is left out because it is a property of an encoding (it
 * depends on the IP addresses of the pseudo-header), not of the segment.
 *
 * <p>Not thread-safe.
 */
public final class TcpSegment {

    /** Size of the fixed part of the header: 20 bytes (data offset 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Largest header: data offset 15, i.e. 60 bytes, leaving 40 bytes for options. */
    public static final int MAX_HEADER_LENGTH = 60;
    /** At most four SACK blocks fit in the 40 bytes of option space (RFC 2018 section 3). */
    public static final int MAX_SACK_BLOCKS = 4;

    private int sourcePort;
    private int destinationPort;
    private int seq;
    private int ack;
    private int flags;
    private int window;
    private int checksum;
    private int urgentPointer;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackEdges = new int[2 * MAX_SACK_BLOCKS];

    private ByteBuf payload = Unpooled.EMPTY_BUFFER;
    /** The source a borrowed payload lies in (null: the payload is {@link #payload} or {@link #held}). */
    private PayloadSource lender;
    private int lentOffset;
    private int lentLength;
    /** A payload held by reference: bytes {@code heldIndex ..} of this buffer, one reference owned (null: none). */
    private ByteBuf held;
    private int heldIndex;

    /** An empty segment: all fields zero, no options, no payload. */
    public TcpSegment() {
    }

    // ---------------------------------------------------------------- header fields

    /** Source port, 0..65535. */
    public int sourcePort() {
        return sourcePort;
    }

    /** Sets the source port (0..65535). */
    public TcpSegment sourcePort(int port) {
        this.sourcePort = check16("source port", port);
        return this;
    }

    /** Destination port, 0..65535. */
    public int destinationPort() {
        return destinationPort;
    }

    /** Sets the destination port (0..65535). */
    public TcpSegment destinationPort(int port) {
        this.destinationPort = check16("destination port", port);
        return this;
    }

    /** SEG.SEQ: the sequence number of the first octet (or of the SYN). */
    public int seq() {
        return seq;
    }

    /** Sets SEG.SEQ. */
    public TcpSegment seq(int seq) {
        this.seq = seq;
        return this;
    }

    /** SEG.ACK: the next sequence number the sender expects; meaningful only with ACK set. */
    public int ack() {
        return ack;
    }

    /** Sets SEG.ACK. */
    public TcpSegment ack(int ack) {
        this.ack = ack;
        return this;
    }

    /** The eight control bits as a mask of {@link TcpFlags} constants. */
    public int flags() {
        return flags;
    }

    /** Sets the control bits (a mask of {@link TcpFlags} constants, 0..255). */
    public TcpSegment flags(int flags) {
        if ((flags & ~TcpFlags.ALL) != 0) {
            throw new IllegalArgumentException("flags must fit in 8 bits: 0x" + Integer.toHexString(flags));
        }
        this.flags = flags;
        return this;
    }

    /** True when every bit of {@code mask} is set. */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }

    /** SEG.WND: the raw 16-bit window field (not yet scaled). */
    public int window() {
        return window;
    }

    /** Sets the raw window field (0..65535). */
    public TcpSegment window(int window) {
        this.window = check16("window", window);
        return this;
    }

    /**
     * The checksum field as last decoded or encoded. Decoding with verification guarantees it
     * was right; setting it has no effect on encoding, which always computes it.
     */
    public int checksum() {
        return checksum;
    }

    /** Records the checksum field (the codec does this; callers rarely need to). */
    public TcpSegment checksum(int checksum) {
        this.checksum = check16("checksum", checksum);
        return this;
    }

    /** SEG.UP: the urgent pointer field (meaningful only with URG set). */
    public int urgentPointer() {
        return urgentPointer;
    }

    /** Sets the urgent pointer field (0..65535). */
    public TcpSegment urgentPointer(int urgentPointer) {
        this.urgentPointer = check16("urgent pointer", urgentPointer);
        return this;
    }

    // ---------------------------------------------------------------- options

    /** The MSS option's value (RFC 9293 section 3.7.1), or -1 when the option is absent. */
    public int mss() {
        return mss;
    }

    /** Sets the MSS option (0..65535), or removes it with -1. */
    public TcpSegment mss(int mss) {
        this.mss = mss == -1 ? -1 : check16("MSS", mss);
        return this;
    }

    /** The window scale option's shift count as sent (RFC 7323 section 2), or -1 when absent. */
    public int windowScale() {
        return windowScale;
    }

    /** Sets the window scale option's shift count (0..255 on the wire; RFC 7323 uses 0..14), or removes it with -1. */
    public TcpSegment windowScale(int shift) {
        if (shift < -1 || shift > 255) {
            throw new IllegalArgumentException("window scale shift must be 0..255 (or -1 for none): " + shift);
        }
        this.windowScale = shift;
        return this;
    }

    /** True when the SACK-permitted option (RFC 2018 section 2) is present. */
    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** Adds or removes the SACK-permitted option. */
    public TcpSegment sackPermitted(boolean present) {
        this.sackPermitted = present;
        return this;
    }

    /** True when the timestamps option (RFC 7323 section 3) is present. */
    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /** TSval of the timestamps option (meaningful only when {@link #hasTimestamps()}). */
    public int tsVal() {
        return tsVal;
    }

    /** TSecr of the timestamps option (meaningful only when {@link #hasTimestamps()}). */
    public int tsEcr() {
        return tsEcr;
    }

    /** Adds the timestamps option with these values. */
    public TcpSegment timestamps(int tsVal, int tsEcr) {
        this.hasTimestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        return this;
    }

    /** Removes the timestamps option. */
    public TcpSegment clearTimestamps() {
        this.hasTimestamps = false;
        this.tsVal = 0;
        this.tsEcr = 0;
        return this;
    }

    /** How many SACK blocks the segment carries (0..4). */
    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge of SACK block {@code i} (the first sequence number of the block). */
    public int sackLeft(int i) {
        return sackEdges[2 * checkBlock(i)];
    }

    /** Right edge of SACK block {@code i} (the sequence number just past the block). */
    public int sackRight(int i) {
        return sackEdges[2 * checkBlock(i) + 1];
    }

    /**
     * Appends a SACK block (RFC 2018 section 3).
     *
     * @throws IllegalStateException if four blocks are already present
     */
    public TcpSegment addSackBlock(int left, int right) {
        if (sackBlockCount == MAX_SACK_BLOCKS) {
            throw new IllegalStateException("a segment carries at most " + MAX_SACK_BLOCKS + " SACK blocks");
        }
        sackEdges[2 * sackBlockCount] = left;
        sackEdges[2 * sackBlockCount + 1] = right;
        sackBlockCount++;
        return this;
    }

    /** Removes all SACK blocks. */
    public TcpSegment clearSackBlocks() {
        sackBlockCount = 0;
        java.util.Arrays.fill(sackEdges, 0);
        return this;
    }

    /** Removes every option. */
    public TcpSegment clearOptions() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        clearTimestamps();
        return clearSackBlocks();
    }

    // ---------------------------------------------------------------- payload

    /**
     * The payload, lent (see the class comment for ownership); never null, possibly empty. A
     * borrowed payload is copied into a buffer the segment owns first.
     */
    public ByteBuf payload() {
        if (lender != null) {
            ByteBuf copy = Unpooled.buffer(lentLength, lentLength);
            lender.copyTo(lentOffset, lentLength, copy, 0, false);
            copy.writerIndex(lentLength);
            lender = null;
            payload.release();
            payload = copy;
        } else if (held != null) {
            ByteBuf slice = held.retainedSlice(heldIndex, lentLength);
            held.release();
            held = null;
            payload.release();
            payload = slice;
        }
        return payload;
    }

    /**
     * Replaces the payload, releasing the previous one. The segment takes over the caller's
     * reference to {@code data}: the caller must not release it (retain it first to keep a
     * reference of its own).
     */
    public TcpSegment payload(ByteBuf data) {
        ByteBuf previous = payload;
        payload = Objects.requireNonNull(data, "payload");
        lender = null;
        if (held != null) {
            held.release();
            held = null;
        }
        if (previous != data) {
            previous.release();
        }
        return this;
    }

    /**
     * Borrows {@code length} bytes of {@code source}, from {@code offset}, as the payload
     * (releasing the previous one): nothing is copied or retained until the segment is encoded,
     * and the source must keep the bytes unchanged until then.
     */
    public TcpSegment payload(PayloadSource source, int offset, int length) {
        payload(Unpooled.EMPTY_BUFFER);
        if (length > 0) {
            lender = Objects.requireNonNull(source, "source");
            lentOffset = offset;
            lentLength = length;
        }
        return this;
    }

    /**
     * Makes bytes {@code index .. index + length} of {@code buf} the payload, by reference: no
     * slice is made, {@code buf}'s indices are neither read nor moved, and the segment takes over
     * the caller's reference to {@code buf} (released with the segment). The previous payload is
     * released.
     */
    public TcpSegment payload(ByteBuf buf, int index, int length) {
        payload(Unpooled.EMPTY_BUFFER);
        if (length == 0) {
            buf.release();
        } else {
            held = buf;
            heldIndex = index;
            lentLength = length;
        }
        return this;
    }

    /**
     * True when the payload's bytes lie in one buffer that {@link #payloadBuffer()} can lend
     * without copying (an empty payload too).
     */
    public boolean payloadInOneBuffer() {
        return lender == null || lender.holder(lentOffset, lentLength) != null;
    }

    /**
     * The buffer that holds the payload's bytes at {@link #payloadIndex()} (lent: retain it to
     * keep it): the payload buffer itself, the buffer it is held by reference in, or the
     * source's buffer a borrowed payload lies in (copied into a buffer of the segment's own first
     * if it spans several).
     */
    public ByteBuf payloadBuffer() {
        if (held != null) {
            return held;
        }
        if (lender != null) {
            ByteBuf b = lender.holder(lentOffset, lentLength);
            return b != null ? b : payload();
        }
        return payload;
    }

    /** Where in {@link #payloadBuffer()} the payload starts. */
    public int payloadIndex() {
        if (held != null) {
            return heldIndex;
        }
        if (lender != null) {
            ByteBuf b = lender.holder(lentOffset, lentLength);
            if (b != null) {
                return lender.holderIndex(lentOffset);
            }
            payload();
        }
        return payload.readerIndex();
    }

    /** Number of payload bytes. */
    public int payloadLength() {
        return lender != null || held != null ? lentLength : payload.readableBytes();
    }

    /**
     * SEG.LEN (RFC 9293 section 3.4): the payload length plus one for SYN and one for FIN, the
     * amount of sequence space the segment occupies.
     */
    public int segmentLength() {
        int controlLength = (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
        return payloadLength() + controlLength;
    }

    /**
     * Copies the payload to {@code out} at absolute index {@code outIndex} (made writable by the
     * caller) and returns the checksum sum of its bytes when {@code sum}, as {@link PayloadSource#copyTo}.
     */
    long copyPayloadTo(ByteBuf out, int outIndex, boolean sum) {
        if (lender != null) {
            return lender.copyTo(lentOffset, lentLength, out, outIndex, sum);
        }
        if (sum) {
            return Checksum.copyAndAdd(payloadBuffer(), payloadIndex(), out, outIndex, payloadLength());
        }
        out.setBytes(outIndex, payloadBuffer(), payloadIndex(), payloadLength());
        return 0;
    }

    /** The checksum sum of the payload's bytes (as {@link Checksum#add} returns it), read where they lie. */
    long payloadSum() {
        if (lender != null) {
            return lender.sum(lentOffset, lentLength);
        }
        return Checksum.add(0, payloadBuffer(), payloadIndex(), payloadLength());
    }

    // ---------------------------------------------------------------- lifecycle

    /** Releases the payload and resets every field, so the instance can be reused. */
    public TcpSegment clear() {
        sourcePort = 0;
        destinationPort = 0;
        seq = 0;
        ack = 0;
        flags = 0;
        window = 0;
        checksum = 0;
        urgentPointer = 0;
        clearOptions();
        return payload(Unpooled.EMPTY_BUFFER);
    }

    /** Releases the payload; the segment keeps its header fields and holds an empty payload. */
    public void release() {
        payload(Unpooled.EMPTY_BUFFER);
    }

    // ---------------------------------------------------------------- Object

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TcpSegment)) {
            return false;
        }
        TcpSegment s = (TcpSegment) o;
        if (sourcePort != s.sourcePort || destinationPort != s.destinationPort || seq != s.seq || ack != s.ack
                || flags != s.flags || window != s.window || urgentPointer != s.urgentPointer
                || mss != s.mss || windowScale != s.windowScale || sackPermitted != s.sackPermitted
                || hasTimestamps != s.hasTimestamps || tsVal != s.tsVal || tsEcr != s.tsEcr
                || sackBlockCount != s.sackBlockCount) {
            return false;
        }
        for (int i = 0; i < 2 * sackBlockCount; i++) {
            if (sackEdges[i] != s.sackEdges[i]) {
                return false;
            }
        }
        return ByteBufUtil.equals(payload(), s.payload());
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(sourcePort, destinationPort, seq, ack, flags, window, urgentPointer,
                mss, windowScale, sackPermitted, hasTimestamps, tsVal, tsEcr, sackBlockCount);
        for (int i = 0; i < 2 * sackBlockCount; i++) {
            h = 31 * h + sackEdges[i];
        }
        return 31 * h + payloadLength();
    }

    /**
     * A tcpdump-like one-liner, e.g.
     * {@code 40000 > 80 [SYN] seq=100 win=65535 len=0 <mss 1460,sackOK,TS val 1 ecr 0,wscale 7>}.
     * Sequence numbers print unsigned.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(sourcePort).append(" > ").append(destinationPort)
                .append(" [").append(TcpFlags.toString(flags)).append("] seq=").append(SeqNum.toUnsigned(seq));
        if (has(TcpFlags.ACK)) {
            sb.append(" ack=").append(SeqNum.toUnsigned(ack));
        }
        sb.append(" win=").append(window);
        if (has(TcpFlags.URG)) {
            sb.append(" urp=").append(urgentPointer);
        }
        sb.append(" len=").append(payloadLength());
        StringBuilder opts = new StringBuilder();
        if (mss >= 0) {
            opts.append(",mss ").append(mss);
        }
        if (sackPermitted) {
            opts.append(",sackOK");
        }
        if (hasTimestamps) {
            opts.append(",TS val ").append(SeqNum.toUnsigned(tsVal)).append(" ecr ").append(SeqNum.toUnsigned(tsEcr));
        }
        if (windowScale >= 0) {
            opts.append(",wscale ").append(windowScale);
        }
        for (int i = 0; i < sackBlockCount; i++) {
            opts.append(i == 0 ? ",sack " : " ")
                    .append(SeqNum.toUnsigned(sackEdges[2 * i])).append(':').append(SeqNum.toUnsigned(sackEdges[2 * i + 1]));
        }
        if (opts.length() > 0) {
            sb.append(" <").append(opts, 1, opts.length()).append('>');
        }
        return sb.toString();
    }

    private static int check16(String what, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be 0..65535: " + value);
        }
        return value;
    }

    private int checkBlock(int i) {
        if (i < 0 || i >= sackBlockCount) {
            throw new IllegalArgumentException("no SACK block " + i + " (have " + sackBlockCount + ")");
        }
        return i;
    }
}
