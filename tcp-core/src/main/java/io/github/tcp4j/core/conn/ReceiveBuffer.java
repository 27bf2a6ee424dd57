package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a connection received and the application has not read: in-order bytes ready to read, and
 * out-of-order pieces waiting for a gap to fill (reassembly), plus the position of a FIN that
 * arrived behind a gap. Positions are 64-bit stream offsets (bytes since the peer's SYN), so the
 * reassembly map never meets sequence-number wrap-around.
 *
 * <p>Out-of-order pieces live in a {@link TreeMap} keyed by start offset, never overlapping:
 * an arriving piece keeps only the bytes nobody holds yet, so duplicates and overlaps are
 * dropped at insertion, and filling a gap is a walk from the lowest key. Pieces are retained
 * slices of the arriving segments (zero copy); the buffer owns them and releases each once read,
 * or all at {@link #release()}.
 *
 * <p>Beside the pieces, an interval map keeps the out-of-order data as merged ranges (start to
 * end offset), from which the SACK blocks are drawn (RFC 2018 section 4): the first block holds
 * the most recently received segment, the others repeat the most recently reported ranges.
 */
final class ReceiveBuffer {

    private int capacity;
    private final ArrayDeque<ByteBuf> ready = new ArrayDeque<>();
    private final TreeMap<Long, ByteBuf> outOfOrder = new TreeMap<>();
    private long nextOffset;
    private int readyBytes;
    private int outOfOrderBytes;
    private long finOffset = -1;
    /** Out-of-order data as merged ranges: start offset to end offset (an interval map). */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    /** A position inside each of the most recently reported ranges, most recent first (RFC 2018 4). */
    private final long[] recent = new long[TcpSegment.MAX_SACK_BLOCKS];
    private int recentCount;

    ReceiveBuffer(int capacity) {
        this.capacity = capacity;
    }

    /** Changes the capacity (SO_RCVBUF); the window already advertised is honoured regardless. */
    void capacity(int bytes) {
        this.capacity = bytes;
    }

    /** The buffer's capacity (SO_RCVBUF). */
    int capacity() {
        return capacity;
    }

    /** In-order bytes the application can read. */
    int available() {
        return readyBytes;
    }

    /** Bytes held out of order. */
    int outOfOrderBytes() {
        return outOfOrderBytes;
    }

    /** Room left for the peer's data. */
    int free() {
        return Math.max(0, capacity - readyBytes - outOfOrderBytes);
    }

    /** True when out-of-order pieces wait for a gap to fill. */
    boolean hasGap() {
        return !outOfOrder.isEmpty();
    }

    /**
     * Takes {@code data} (the buffer takes over its reference), whose first byte lies
     * {@code relative} bytes after the next expected one (RCV.NXT), {@code relative >= 0}.
     *
     * @return how many bytes became in order (RCV.NXT advances by this much)
     */
    int receive(int relative, ByteBuf data) {
        long start = nextOffset + relative;
        long end = start + data.readableBytes();
        if (relative == 0) {
            append(data);
            return drainInOrder() + (int) (end - start);
        }
        insertOutOfOrder(start, end, data);
        return 0;
    }

    /**
     * Writes the SACK blocks to report, as offsets relative to RCV.NXT, into {@code edges} (left,
     * right pairs): first the range holding the latest out-of-order arrival, then the other
     * recently reported ranges, at most {@code max} (RFC 2018 section 4).
     *
     * @return the number of blocks written
     */
    int sackBlocks(int[] edges, int max) {
        int n = 0;
        for (int i = 0; i < recentCount && n < max; i++) {
            Map.Entry<Long, Long> r = ranges.floorEntry(recent[i]);
            if (r == null || r.getValue() <= recent[i]) {
                continue; // that range was delivered in order since
            }
            boolean seen = false;
            for (int k = 0; k < n; k++) {
                seen |= edges[2 * k] == (int) (r.getKey() - nextOffset);
            }
            if (!seen) {
                edges[2 * n] = (int) (r.getKey() - nextOffset);
                edges[2 * n + 1] = (int) (r.getValue() - nextOffset);
                n++;
            }
        }
        return n;
    }

    /** Remembers a FIN {@code relative} bytes after RCV.NXT (it arrived behind a gap). */
    void finAt(int relative) {
        finOffset = nextOffset + relative;
    }

    /** True when a FIN that arrived behind a gap is now next in sequence. */
    boolean finInOrder() {
        return finOffset >= 0 && finOffset == nextOffset;
    }

    /** Copies up to {@code dst.writableBytes()} in-order bytes into {@code dst}; returns how many. */
    int read(ByteBuf dst) {
        int n = 0;
        while (dst.isWritable() && !ready.isEmpty()) {
            ByteBuf head = ready.peekFirst();
            int k = Math.min(dst.writableBytes(), head.readableBytes());
            dst.writeBytes(head, k);
            n += k;
            if (!head.isReadable()) {
                ready.pollFirst().release();
            }
        }
        readyBytes -= n;
        return n;
    }

    /** Releases everything held. */
    void release() {
        ByteBuf b;
        while ((b = ready.pollFirst()) != null) {
            b.release();
        }
        outOfOrder.values().forEach(ByteBuf::release);
        outOfOrder.clear();
        ranges.clear();
        recentCount = 0;
        readyBytes = 0;
        outOfOrderBytes = 0;
    }

    /** Merges [start, end) into the interval map and makes its range the most recent. */
    private void noteRange(long start, long end) {
        long from = start;
        long to = end;
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            from = before.getKey();
            to = Math.max(to, before.getValue());
            ranges.remove(before.getKey());
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(from)) != null && next.getKey() <= to) {
            to = Math.max(to, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(from, to);
        // RFC 2018 4: the block with the newest segment first, then the earlier reports
        int kept = 0;
        for (int i = 0; i < recentCount; i++) {
            if (recent[i] < from || recent[i] >= to) {
                recent[kept++] = recent[i]; // a different range: keep its place in the order
            }
        }
        int shifted = Math.min(kept, recent.length - 1);
        System.arraycopy(recent, 0, recent, 1, shifted);
        recent[0] = start;
        recentCount = shifted + 1;
    }

    private void append(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
            return;
        }
        ready.addLast(data);
        readyBytes += n;
        nextOffset += n;
    }

    /** Moves pieces that now start at (or before) the next offset into the ready queue. */
    private int drainInOrder() {
        int moved = 0;
        Map.Entry<Long, ByteBuf> first;
        while ((first = outOfOrder.firstEntry()) != null && first.getKey() <= nextOffset) {
            outOfOrder.pollFirstEntry();
            ByteBuf piece = first.getValue();
            outOfOrderBytes -= piece.readableBytes();
            long pieceEnd = first.getKey() + piece.readableBytes();
            if (pieceEnd <= nextOffset) {
                piece.release(); // covered already (cannot happen with disjoint pieces, kept for safety)
                continue;
            }
            piece.skipBytes((int) (nextOffset - first.getKey()));
            moved += piece.readableBytes();
            append(piece);
        }
        Map.Entry<Long, Long> range;
        while ((range = ranges.firstEntry()) != null && range.getKey() <= nextOffset) {
            ranges.pollFirstEntry(); // delivered in order now
        }
        return moved;
    }

    /** Inserts the bytes of [start, end) that no piece holds yet; releases {@code data}. */
    private void insertOutOfOrder(long start, long end, ByteBuf data) {
        if (end > start) {
            noteRange(start, end);
        }
        try {
            long at = start;
            Map.Entry<Long, ByteBuf> before = outOfOrder.floorEntry(at);
            if (before != null) {
                at = Math.max(at, before.getKey() + before.getValue().readableBytes());
            }
            while (at < end) {
                Map.Entry<Long, ByteBuf> next = outOfOrder.ceilingEntry(at);
                long stop = next == null ? end : Math.min(end, next.getKey());
                if (stop > at) {
                    ByteBuf piece = data.retainedSlice(data.readerIndex() + (int) (at - start), (int) (stop - at));
                    outOfOrder.put(at, piece);
                    outOfOrderBytes += piece.readableBytes();
                }
                if (next == null) {
                    break;
                }
                at = Math.max(stop, next.getKey() + next.getValue().readableBytes());
            }
        } finally {
            data.release();
        }
    }
}
