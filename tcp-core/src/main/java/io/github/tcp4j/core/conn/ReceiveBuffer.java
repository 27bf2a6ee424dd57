package io.github.tcp4j.core.conn;

import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * <p>In-order bytes wait in a ring of (buffer, start index, end index) entries: an arriving
 * payload is kept by reference (one {@code retain()}, no slice object), and reading copies from
 * the entries by absolute index without moving their indices. So data arriving in order and read
 * in order allocates nothing. Small payloads (at most {@value #COALESCE_MAX} bytes, a segment of a
 * 1,500-byte MTU) are instead copied into a chunk of the buffer's own ({@value #OWN_CHUNK} bytes
 * from the stack's allocator) and their segment buffer is released at once, as the kernel
 * coalesces small segments in its receive queue: thousands of small buffers are not held until
 * the application reads (the allocator's per-buffer bookkeeping, and its memory overhead, stay
 * small).
 *
 * <p>Beside the pieces, an interval map keeps the out-of-order data as merged ranges (start to
 * end offset), from which the SACK blocks are drawn (RFC 2018 section 4): the first block holds
 * the most recently received segment, the others repeat the most recently reported ranges.
 */
final class ReceiveBuffer {

    /** Payloads up to this size are copied into the buffer's own chunks. */
    static final int COALESCE_MAX = 2048;
    /** The size of the buffer's own chunks. */
    static final int OWN_CHUNK = 16 * 1024;

    private int capacity;
    private final ByteBufAllocator alloc;
    /** The own chunk that small payloads are appended to (the last ready entry's buffer), or null. */
    private ByteBuf ownTail;
    /** In-order bytes: a ring of buffers, each entry's readable part from {@code readyFrom} to {@code readyTo}. */
    private ByteBuf[] ready = new ByteBuf[4];
    private int[] readyFrom = new int[4];
    private int[] readyTo = new int[4];
    private int readyHead;
    private int readyCount;
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
        this(capacity, ByteBufAllocator.DEFAULT);
    }

    ReceiveBuffer(int capacity, ByteBufAllocator alloc) {
        this.capacity = capacity;
        this.alloc = alloc;
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
        return receive(relative, data, data.readerIndex(), data.readableBytes());
    }

    /**
     * Takes the {@code length} bytes of {@code buf} at absolute index {@code index} (the buffer
     * takes over one reference to {@code buf}; {@code buf}'s indices are neither read nor moved),
     * whose first byte lies {@code relative} bytes after RCV.NXT, {@code relative >= 0}.
     *
     * @return how many bytes became in order (RCV.NXT advances by this much)
     */
    int receive(int relative, ByteBuf buf, int index, int length) {
        long start = nextOffset + relative;
        long end = start + length;
        if (relative == 0) {
            append(buf, index, index + length);
            return drainInOrder() + length;
        }
        insertOutOfOrder(start, end, buf, index);
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
        while (dst.isWritable() && readyCount > 0) {
            int h = readyHead;
            int from = readyFrom[h];
            int k = Math.min(dst.writableBytes(), readyTo[h] - from);
            dst.writeBytes(ready[h], from, k);
            n += k;
            if (from + k == readyTo[h]) {
                removeFirstReady().release();
            } else {
                readyFrom[h] = from + k;
            }
        }
        readyBytes -= n;
        return n;
    }

    /** Releases everything held. */
    void release() {
        while (readyCount > 0) {
            removeFirstReady().release();
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

    /** Queues bytes {@code from .. to} of {@code buf} (taking over a reference) as the next in-order bytes. */
    private void append(ByteBuf buf, int from, int to) {
        int n = to - from;
        if (n == 0) {
            buf.release();
            return;
        }
        if (n <= COALESCE_MAX) {
            appendCopy(buf, from, n);
            return;
        }
        addReady(buf, from, to);
    }

    /** Copies {@code n} bytes of {@code buf} into the own tail chunk (a new one if it is full) and releases {@code buf}. */
    private void appendCopy(ByteBuf buf, int from, int n) {
        try {
            int last = (readyHead + readyCount - 1) & (ready.length - 1);
            if (readyCount > 0 && ready[last] == ownTail && ownTail.writableBytes() >= n) {
                ownTail.writeBytes(buf, from, n);
                readyTo[last] += n;
                readyBytes += n;
                nextOffset += n;
                return;
            }
            ByteBuf chunk = alloc.buffer(OWN_CHUNK, OWN_CHUNK);
            chunk.writeBytes(buf, from, n);
            ownTail = chunk;
            addReady(chunk, 0, n);
        } finally {
            buf.release();
        }
    }

    private void addReady(ByteBuf buf, int from, int to) {
        if (readyCount == ready.length) {
            growReady();
        }
        int tail = (readyHead + readyCount) & (ready.length - 1);
        ready[tail] = buf;
        readyFrom[tail] = from;
        readyTo[tail] = to;
        readyCount++;
        readyBytes += to - from;
        nextOffset += to - from;
    }

    private ByteBuf removeFirstReady() {
        ByteBuf b = ready[readyHead];
        if (b == ownTail) {
            ownTail = null;
        }
        ready[readyHead] = null;
        readyHead = (readyHead + 1) & (ready.length - 1);
        readyCount--;
        return b;
    }

    private void growReady() {
        int n = ready.length;
        ByteBuf[] bufs = new ByteBuf[2 * n];
        int[] from = new int[2 * n];
        int[] to = new int[2 * n];
        for (int i = 0; i < readyCount; i++) {
            int j = (readyHead + i) & (n - 1);
            bufs[i] = ready[j];
            from[i] = readyFrom[j];
            to[i] = readyTo[j];
        }
        ready = bufs;
        readyFrom = from;
        readyTo = to;
        readyHead = 0;
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
            int skip = (int) (nextOffset - first.getKey());
            moved += piece.readableBytes() - skip;
            append(piece, piece.readerIndex() + skip, piece.writerIndex());
        }
        Map.Entry<Long, Long> range;
        while ((range = ranges.firstEntry()) != null && range.getKey() <= nextOffset) {
            ranges.pollFirstEntry(); // delivered in order now
        }
        return moved;
    }

    /**
     * Inserts the bytes of [start, end) that no piece holds yet, {@code start} being at index
     * {@code index} of {@code data}; releases {@code data}.
     */
    private void insertOutOfOrder(long start, long end, ByteBuf data, int index) {
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
                    ByteBuf piece = data.retainedSlice(index + (int) (at - start), (int) (stop - at));
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
