package io.github.tcp4j.core.timer;

import io.github.tcp4j.core.wire.IpAddress;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compact TIME_WAIT table: what remains of a connection after it enters TIME_WAIT and its
 * control block and buffers are released (RFC 9293 section 3.3.2; the FreeBSD "tcptw" idea).
 *
 * <p>An entry keeps exactly what TIME_WAIT still needs: the 4-tuple; SND.NXT and RCV.NXT, to ACK a
 * retransmitted FIN; RCV.WND, TS.Recent and the time it was set, to judge a new SYN (RFC 6191) and
 * to apply the RST policy (RFC 1337); and the deadline. Entries are not objects: each field is a
 * primitive array indexed by entry number (a struct of arrays), and an open-addressing hash index
 * finds an entry by 4-tuple. At most 59 bytes per IPv4 entry (see {@link #BYTES_PER_IPV4_ENTRY}).
 *
 * <h2>Expiry is a FIFO</h2>
 * Every entry of a table lives for the same 2MSL, so entries ordered by insertion are ordered by
 * deadline: a doubly linked FIFO through the arrays needs no timer at all. Expiry pops from the
 * head; restarting the 2MSL timer (a retransmitted FIN arrived, RFC 9293 3.10.7.4) moves the entry
 * to the tail; {@link #nextDeadline()} is the head's deadline.
 *
 * <h2>When full</h2>
 * The capacity is a hard bound (Linux's tcp_max_tw_buckets). A full table either evicts its oldest
 * entry ({@link Overflow#EVICT_OLDEST}, the default) or refuses the new one, whose connection then
 * goes straight to CLOSED ({@link Overflow#REFUSE}); both are counted and logged.
 *
 * <p>One table holds one address family. Single-threaded, like the rest of the core.
 */
public final class TimeWaitTable {

    /** What a full table does with a new entry. */
    public enum Overflow {
        /** Drop the oldest entry to make room (counted in {@link #evicted()}). */
        EVICT_OLDEST,
        /** Keep the table as it is; the new connection closes without TIME_WAIT (counted in {@link #refused()}). */
        REFUSE
    }

    /**
     * Bytes an IPv4 entry costs at most: ten 4-byte fields (local and remote address, both ports in
     * one int, SND.NXT, RCV.NXT, RCV.WND, TS.Recent, TS.Recent's age, two FIFO links), an 8-byte
     * deadline, and its share of the hash index, a power of two at most 3/4 full: between 4/3 and
     * 8/3 slots of 4 bytes per entry, so 54 to 59 bytes in all.
     */
    public static final int BYTES_PER_IPV4_ENTRY = 10 * 4 + 8 + 11;

    private static final Logger LOG = LoggerFactory.getLogger(TimeWaitTable.class);
    private static final int NONE = -1;

    private final boolean v6;
    private final int capacity;
    private final long twoMslNanos;
    private final Overflow overflow;

    // The entries, a struct of arrays. IPv4 tables use the int address arrays, IPv6 ones the longs.
    private int[] localV4;
    private int[] remoteV4;
    private long[] localV6;
    private long[] remoteV6;
    private int[] ports;
    private int[] sndNxt;
    private int[] rcvNxt;
    private int[] rcvWnd;
    private int[] tsRecent;
    private int[] tsRecentAgeMillis;
    private long[] deadline;
    private int[] older;
    private int[] newer;

    /** Open-addressing index: entry number + 1, or 0 for an empty slot; linear probing. */
    private int[] index;
    private int indexMask;
    /** Length of the entry arrays now: they grow by doubling, up to the capacity. */
    private int allocated;

    private int head = NONE;
    private int tail = NONE;
    private int freeList = NONE;
    private int neverUsed;
    private int size;

    private long inserted;
    private long expired;
    private long evicted;
    private long refused;
    private long restarted;

    /**
     * A table for one address family.
     *
     * @param ipv6 true for IPv6 entries, false for IPv4
     * @param capacity the most entries held at once (>= 1)
     * @param twoMslNanos how long an entry lives: 2 x MSL (RFC 9293 3.4.2 says MSL = 2 minutes)
     * @param overflow what to do when full
     */
    public TimeWaitTable(boolean ipv6, int capacity, long twoMslNanos, Overflow overflow) {
        this(ipv6, capacity, capacity, twoMslNanos, overflow);
    }

    /**
     * A table for one address family whose arrays start with room for {@code initialCapacity}
     * entries and double as needed, up to {@code capacity} (a host that may never see many
     * TIME_WAIT connections then spends little memory on them).
     *
     * @param initialCapacity entries allocated at once (1..capacity)
     */
    public TimeWaitTable(boolean ipv6, int capacity, int initialCapacity, long twoMslNanos, Overflow overflow) {
        if (capacity < 1 || capacity > (1 << 29)) {
            throw new IllegalArgumentException("capacity must be 1..2^29: " + capacity);
        }
        if (initialCapacity < 1 || initialCapacity > capacity) {
            throw new IllegalArgumentException("initialCapacity must be 1.." + capacity + ": " + initialCapacity);
        }
        if (twoMslNanos <= 0) {
            throw new IllegalArgumentException("2MSL must be positive: " + twoMslNanos);
        }
        this.v6 = ipv6;
        this.capacity = capacity;
        this.twoMslNanos = twoMslNanos;
        this.overflow = java.util.Objects.requireNonNull(overflow, "overflow");
        allocate(initialCapacity);
    }

    /** Sizes the entry arrays for {@code n} entries (keeping what they hold) and rebuilds the index. */
    private void allocate(int n) {
        localV4 = v6 ? null : grown(localV4, n);
        remoteV4 = v6 ? null : grown(remoteV4, n);
        localV6 = v6 ? grown(localV6, 2 * n) : null;
        remoteV6 = v6 ? grown(remoteV6, 2 * n) : null;
        ports = grown(ports, n);
        sndNxt = grown(sndNxt, n);
        rcvNxt = grown(rcvNxt, n);
        rcvWnd = grown(rcvWnd, n);
        tsRecent = grown(tsRecent, n);
        tsRecentAgeMillis = grown(tsRecentAgeMillis, n);
        deadline = grown(deadline, n);
        older = grown(older, n);
        newer = grown(newer, n);
        allocated = n;
        // The smallest power of two holding n at a load of at most 3/4.
        long wanted = Math.max(2, (4L * n + 2) / 3);
        int slots = Integer.highestOneBit((int) Math.min(wanted, 1 << 30));
        if (slots < wanted) {
            slots <<= 1;
        }
        index = new int[slots];
        indexMask = slots - 1;
        for (int e = head; e != NONE; e = newer[e]) {
            int slot = hashOfEntry(e) & indexMask;
            while (index[slot] != 0) {
                slot = (slot + 1) & indexMask;
            }
            index[slot] = e + 1;
        }
    }

    private static int[] grown(int[] a, int n) {
        return a == null ? new int[n] : Arrays.copyOf(a, n);
    }

    private static long[] grown(long[] a, int n) {
        return a == null ? new long[n] : Arrays.copyOf(a, n);
    }

    /** Entries the arrays have room for now (at most {@link #capacity()}). */
    public int allocated() {
        return allocated;
    }

    // ---------------------------------------------------------------- queries

    /** Entries held. */
    public int size() {
        return size;
    }

    /** The most entries held at once. */
    public int capacity() {
        return capacity;
    }

    /** 2MSL in nanoseconds. */
    public long twoMslNanos() {
        return twoMslNanos;
    }

    /**
     * The entry for this 4-tuple, or -1. The number stays valid until the entry expires, is
     * removed or is evicted.
     */
    public int find(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        checkFamily(local, remote);
        int key = (localPort << 16) | remotePort;
        for (int slot = hash(local, key, remote) & indexMask; ; slot = (slot + 1) & indexMask) {
            int e = index[slot] - 1;
            if (e < 0) {
                return NONE;
            }
            if (ports[e] == key && sameAddresses(e, local, remote)) {
                return e;
            }
        }
    }

    /** The time (clock nanoseconds) at which the oldest entry expires; {@link Long#MAX_VALUE} when empty. */
    public long nextDeadline() {
        return head == NONE ? Long.MAX_VALUE : deadline[head];
    }

    /** The entry that expires first (the FIFO's head), or -1 when the table is empty. */
    public int oldest() {
        return head;
    }

    /** The entry that expires after {@code e} (towards the FIFO's tail), or -1 for the newest. */
    public int newer(int e) {
        checkEntry(e);
        return newer[e];
    }

    /** Local port of entry {@code e}. */
    public int localPort(int e) {
        return ports[e] >>> 16;
    }

    /** Remote port of entry {@code e}. */
    public int remotePort(int e) {
        return ports[e] & 0xFFFF;
    }

    /** Local address of entry {@code e}. */
    public IpAddress localAddress(int e) {
        return v6 ? IpAddress.v6(localV6[2 * e], localV6[2 * e + 1]) : IpAddress.v4(localV4[e]);
    }

    /** Remote address of entry {@code e}. */
    public IpAddress remoteAddress(int e) {
        return v6 ? IpAddress.v6(remoteV6[2 * e], remoteV6[2 * e + 1]) : IpAddress.v4(remoteV4[e]);
    }

    /** SND.NXT of entry {@code e}: the sequence number of our ACK for a retransmitted FIN. */
    public int sndNxt(int e) {
        return sndNxt[e];
    }

    /** RCV.NXT of entry {@code e}: what our ACK acknowledges; a new SYN must start beyond it (RFC 6191). */
    public int rcvNxt(int e) {
        return rcvNxt[e];
    }

    /** RCV.WND of entry {@code e}, for the acceptability test of arriving segments. */
    public int rcvWnd(int e) {
        return rcvWnd[e];
    }

    /** TS.Recent of entry {@code e} (RFC 7323), for PAWS and RFC 6191. */
    public int tsRecent(int e) {
        return tsRecent[e];
    }

    /** How long before entering TIME_WAIT TS.Recent was set, in milliseconds. */
    public int tsRecentAgeMillis(int e) {
        return tsRecentAgeMillis[e];
    }

    /** The deadline of entry {@code e}. */
    public long deadline(int e) {
        return deadline[e];
    }

    /** Entries ever inserted. */
    public long inserted() {
        return inserted;
    }

    /** Entries that lived their full 2MSL. */
    public long expired() {
        return expired;
    }

    /** Entries dropped early to make room. */
    public long evicted() {
        return evicted;
    }

    /** Connections refused a TIME_WAIT entry because the table was full. */
    public long refused() {
        return refused;
    }

    /** 2MSL restarts (retransmitted FINs). */
    public long restarted() {
        return restarted;
    }

    // ---------------------------------------------------------------- changes

    /**
     * Enters a connection into TIME_WAIT until {@code nowNanos + 2MSL}. An existing entry for the
     * same 4-tuple is replaced.
     *
     * @return the entry number, or -1 if the table is full and refuses new entries
     */
    public int insert(IpAddress local, int localPort, IpAddress remote, int remotePort, int sndNxtValue,
            int rcvNxtValue, int rcvWndValue, int tsRecentValue, int tsRecentAge, long nowNanos) {
        checkFamily(local, remote);
        checkPort(localPort);
        checkPort(remotePort);
        int existing = find(local, localPort, remote, remotePort);
        if (existing != NONE) {
            remove(existing);
        }
        if (size == capacity) {
            if (overflow == Overflow.REFUSE) {
                refused++;
                if (refused == 1 || Long.bitCount(refused) == 1) {
                    LOG.warn("TIME_WAIT table full ({} entries): {} connection(s) closed without TIME_WAIT", capacity, refused);
                }
                return NONE;
            }
            evicted++;
            if (evicted == 1 || Long.bitCount(evicted) == 1) {
                LOG.warn("TIME_WAIT table full ({} entries): {} oldest entr(ies) evicted early", capacity, evicted);
            }
            remove(head);
        }
        int e;
        if (freeList != NONE) {
            e = freeList;
            freeList = newer[e];
        } else {
            if (neverUsed == allocated) {
                allocate((int) Math.min(capacity, 2L * allocated)); // not full yet: grow by doubling
            }
            e = neverUsed++;
        }
        if (v6) {
            localV6[2 * e] = local.v6High();
            localV6[2 * e + 1] = local.v6Low();
            remoteV6[2 * e] = remote.v6High();
            remoteV6[2 * e + 1] = remote.v6Low();
        } else {
            localV4[e] = local.v4Bits();
            remoteV4[e] = remote.v4Bits();
        }
        ports[e] = (localPort << 16) | remotePort;
        sndNxt[e] = sndNxtValue;
        rcvNxt[e] = rcvNxtValue;
        rcvWnd[e] = rcvWndValue;
        tsRecent[e] = tsRecentValue;
        tsRecentAgeMillis[e] = tsRecentAge;
        deadline[e] = nowNanos + twoMslNanos;
        appendToFifo(e);
        int slot = hash(local, ports[e], remote) & indexMask;
        while (index[slot] != 0) {
            slot = (slot + 1) & indexMask;
        }
        index[slot] = e + 1;
        size++;
        inserted++;
        return e;
    }

    /**
     * Restarts entry {@code e}'s 2MSL from {@code nowNanos} (RFC 9293 3.10.7.4: a retransmitted
     * FIN in TIME_WAIT is acknowledged and the 2MSL timeout restarted) and moves it to the tail.
     */
    public void restart(int e, long nowNanos) {
        checkEntry(e);
        unlinkFromFifo(e);
        deadline[e] = nowNanos + twoMslNanos;
        appendToFifo(e);
        restarted++;
    }

    /** Records a newer TS.Recent for entry {@code e} (a segment with a newer timestamp was accepted). */
    public void updateTsRecent(int e, int value) {
        checkEntry(e);
        tsRecent[e] = value;
        tsRecentAgeMillis[e] = 0;
    }

    /**
     * Removes entry {@code e} to make room in a full table, counted in {@link #evicted()} and
     * logged: what {@link #insert} does itself under {@link Overflow#EVICT_OLDEST}, for a caller
     * that first reports the eviction (the host runs it through the state machine).
     */
    public void evict(int e) {
        remove(e);
        evicted++;
        if (evicted == 1 || Long.bitCount(evicted) == 1) {
            LOG.warn("TIME_WAIT table full ({} entries): {} oldest entr(ies) evicted early", capacity, evicted);
        }
    }

    /** Removes entry {@code e} early (a new SYN reincarnated the connection, or a RST closed it). */
    public void remove(int e) {
        checkEntry(e);
        removeFromIndex(e);
        unlinkFromFifo(e);
        deadline[e] = Long.MIN_VALUE; // marks the number free
        newer[e] = freeList;
        freeList = e;
        size--;
    }

    /**
     * Removes every entry whose deadline is at or before {@code nowNanos}, oldest first.
     *
     * @return how many expired
     */
    public int expire(long nowNanos) {
        int n = 0;
        while (head != NONE && deadline[head] <= nowNanos) {
            remove(head);
            n++;
        }
        expired += n;
        return n;
    }

    /** True if any entry has local port {@code port}, whatever its addresses (for a bind check). */
    public boolean holdsLocalPort(int port) {
        checkPort(port);
        // A scan, not an index: bind() is rare and the index is by full 4-tuple. Oldest first.
        for (int e = head; e != NONE; e = newer[e]) {
            if ((ports[e] >>> 16) == port) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- internals

    private void appendToFifo(int e) {
        older[e] = tail;
        newer[e] = NONE;
        if (tail == NONE) {
            head = e;
        } else {
            newer[tail] = e;
        }
        tail = e;
    }

    private void unlinkFromFifo(int e) {
        int o = older[e];
        int n = newer[e];
        if (o == NONE) {
            head = n;
        } else {
            newer[o] = n;
        }
        if (n == NONE) {
            tail = o;
        } else {
            older[n] = o;
        }
    }

    private void removeFromIndex(int e) {
        int slot = slotOf(e);
        index[slot] = 0;
        // Backward-shift deletion: pull later members of the probe run into the hole, so no
        // tombstones accumulate and lookups stay short.
        int hole = slot;
        for (int s = (slot + 1) & indexMask; index[s] != 0; s = (s + 1) & indexMask) {
            int home = hashOfEntry(index[s] - 1) & indexMask;
            // Move s into the hole unless its home lies cyclically in (hole, s].
            boolean homeAfterHole = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
            if (!homeAfterHole) {
                index[hole] = index[s];
                index[s] = 0;
                hole = s;
            }
        }
    }

    private int slotOf(int e) {
        for (int slot = hashOfEntry(e) & indexMask; ; slot = (slot + 1) & indexMask) {
            if (index[slot] == e + 1) {
                return slot;
            }
        }
    }

    private int hashOfEntry(int e) {
        if (v6) {
            return mix(localV6[2 * e] ^ localV6[2 * e + 1] * 31, remoteV6[2 * e] ^ remoteV6[2 * e + 1] * 31, ports[e]);
        }
        return mix(localV4[e], remoteV4[e], ports[e]);
    }

    private int hash(IpAddress local, int portsKey, IpAddress remote) {
        if (v6) {
            return mix(local.v6High() ^ local.v6Low() * 31, remote.v6High() ^ remote.v6Low() * 31, portsKey);
        }
        return mix(local.v4Bits(), remote.v4Bits(), portsKey);
    }

    private static int mix(long local, long remote, int portsKey) {
        long h = local * 0x9E3779B97F4A7C15L + remote;
        h = (h ^ (h >>> 29)) * 0xBF58476D1CE4E5B9L + portsKey;
        h = (h ^ (h >>> 32)) * 0x94D049BB133111EBL;
        return (int) (h ^ (h >>> 31));
    }

    private boolean sameAddresses(int e, IpAddress local, IpAddress remote) {
        if (v6) {
            return localV6[2 * e] == local.v6High() && localV6[2 * e + 1] == local.v6Low()
                    && remoteV6[2 * e] == remote.v6High() && remoteV6[2 * e + 1] == remote.v6Low();
        }
        return localV4[e] == local.v4Bits() && remoteV4[e] == remote.v4Bits();
    }

    private void checkFamily(IpAddress local, IpAddress remote) {
        if (local.isV6() != v6 || remote.isV6() != v6) {
            throw new IllegalArgumentException("this table holds " + (v6 ? "IPv6" : "IPv4") + " entries: " + local + " / " + remote);
        }
    }

    private void checkEntry(int e) {
        if (e < 0 || e >= neverUsed || deadline[e] == Long.MIN_VALUE) {
            throw new IllegalArgumentException("no TIME_WAIT entry " + e);
        }
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
    }

    @Override
    public String toString() {
        return "TimeWaitTable[" + (v6 ? "IPv6" : "IPv4") + " " + size + "/" + capacity + ", 2MSL=" + twoMslNanos / 1_000_000
                + " ms, expired=" + expired + ", evicted=" + evicted + ", refused=" + refused + "]";
    }

    /** For tests: the FIFO from oldest to newest. */
    int[] fifoForTest() {
        int[] out = new int[size];
        int i = 0;
        for (int e = head; e != NONE; e = newer[e]) {
            out[i++] = e;
        }
        return Arrays.copyOf(out, i);
    }
}
