package io.github.tcp4j.api;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What other threads hand to a stack, in arrival order: tasks (async API calls) and arriving
 * segments. Any thread adds; the thread running the stack (holding its lock) takes everything at
 * once.
 *
 * <p>Built to add nothing to the heap per entry in steady state: entries go into parallel arrays
 * (a segment is its source, destination and buffer, or header buffer plus payload by reference; a task is the task and nulls), and there
 * are two such sets of arrays: while the stack works through one batch, producers fill the other,
 * and {@link #take()} swaps them. The arrays double when a batch outgrows them (the busiest moment
 * sets their size, then they are reused). One short lock guards adding and swapping: an add is a
 * few stores under an uncontended lock, and the stack takes a whole batch per acquisition. (A
 * {@link ReentrantLock}, not a monitor: a virtual thread waiting for it does not pin its carrier.)
 *
 * <p>Once {@link #close() closed}, adds are refused, so nothing handed over after the stack's last
 * look can be forgotten in here (a refused segment is the caller's to release).
 */
final class Inbox {

    /** A set of entries: the batch being filled, or the one being worked through. */
    static final class Batch {
        private Object[] first;
        private IpAddress[] destinations;
        private ByteBuf[] segments;
        private ByteBuf[] payloads;
        private int[] payloadIndexes;
        private int[] payloadLengths;
        private int size;

        Batch(int capacity) {
            first = new Object[capacity];
            destinations = new IpAddress[capacity];
            segments = new ByteBuf[capacity];
            payloads = new ByteBuf[capacity];
            payloadIndexes = new int[capacity];
            payloadLengths = new int[capacity];
        }

        /** Entries in the batch. */
        int size() {
            return size;
        }

        /** True if entry {@code i} is an arriving segment (else a task). */
        boolean isSegment(int i) {
            return segments[i] != null;
        }

        /** Entry {@code i}'s task. */
        Runnable task(int i) {
            return (Runnable) first[i];
        }

        /** Entry {@code i}'s segment source. */
        IpAddress source(int i) {
            return (IpAddress) first[i];
        }

        /** Entry {@code i}'s segment destination. */
        IpAddress destination(int i) {
            return destinations[i];
        }

        /**
         * Entry {@code i}'s segment bytes (the reference goes with the entry): the whole segment, or
         * its header when the payload came by reference ({@link #payload(int)} not null).
         */
        ByteBuf segment(int i) {
            return segments[i];
        }

        /** The buffer entry {@code i}'s payload lies in, by reference (its reference goes with the entry); null if none. */
        ByteBuf payload(int i) {
            return payloads[i];
        }

        /** Where entry {@code i}'s payload starts in {@link #payload(int)}. */
        int payloadIndex(int i) {
            return payloadIndexes[i];
        }

        /** Entry {@code i}'s payload length. */
        int payloadLength(int i) {
            return payloadLengths[i];
        }

        private void add(Object head, IpAddress destination, ByteBuf segment, ByteBuf payload, int index, int length) {
            if (size == first.length) {
                int grown = size * 2;
                first = Arrays.copyOf(first, grown);
                destinations = Arrays.copyOf(destinations, grown);
                segments = Arrays.copyOf(segments, grown);
                payloads = Arrays.copyOf(payloads, grown);
                payloadIndexes = Arrays.copyOf(payloadIndexes, grown);
                payloadLengths = Arrays.copyOf(payloadLengths, grown);
            }
            first[size] = head;
            destinations[size] = destination;
            segments[size] = segment;
            payloads[size] = payload;
            payloadIndexes[size] = index;
            payloadLengths[size] = length;
            size++;
        }

        /** Forgets every entry (the references, so the heap can let them go). */
        void clear() {
            Arrays.fill(first, 0, size, null);
            Arrays.fill(destinations, 0, size, null);
            Arrays.fill(segments, 0, size, null);
            Arrays.fill(payloads, 0, size, null);
            size = 0;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private Batch filling;
    private Batch spare;
    private boolean closed;
    /** Entries in the batch being filled, written under the lock, read without it. */
    private volatile int waiting;

    Inbox(int initialCapacity) {
        filling = new Batch(initialCapacity);
        spare = new Batch(initialCapacity);
    }

    /**
     * Takes the lock, trying a few times before queueing for it: the sections it guards are a few
     * stores long, and queueing would allocate a node of the lock's wait queue.
     */
    private void acquire() {
        for (int i = 0; i < 32; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    /** Adds a task; false if the inbox is closed. */
    boolean addTask(Runnable task) {
        acquire();
        try {
            if (closed) {
                return false;
            }
            filling.add(task, null, null, null, 0, 0);
            waiting = filling.size;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds an arriving segment (its reference goes with it); false if closed (the caller keeps it). */
    boolean addSegment(IpAddress source, IpAddress destination, ByteBuf segment) {
        acquire();
        try {
            if (closed) {
                return false;
            }
            filling.add(source, destination, segment, null, 0, 0);
            waiting = filling.size;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a segment that arrived as a header and a payload by reference (both references go with
     * it); false if closed (the caller keeps them).
     */
    boolean addSegment(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
        acquire();
        try {
            if (closed) {
                return false;
            }
            filling.add(source, destination, header, payload, index, length);
            waiting = filling.size;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True if nothing waits. Lock-free (a volatile count kept beside the batch being filled): a
     * helper watching for work asks this in a loop, and must not make producers queue for the lock.
     */
    boolean isEmpty() {
        return waiting == 0;
    }

    /**
     * Everything added so far, as a batch the caller works through and then gives back with
     * {@link #recycle}; null if nothing waits. One thread at a time takes (the stack lock's holder), one batch at a time.
     */
    Batch take() {
        if (waiting == 0) {
            return null; // nothing added yet (an add in progress is seen by the holder's next look)
        }
        acquire();
        try {
            if (filling.size == 0) {
                return null;
            }
            Batch b = filling;
            filling = spare;
            spare = null;
            waiting = 0;
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a batch back after working through it. */
    void recycle(Batch b) {
        b.clear();
        acquire();
        try {
            spare = b;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses every later add and returns what is still waiting (null if nothing). */
    Batch close() {
        acquire();
        try {
            closed = true;
            return take();
        } finally {
            lock.unlock();
        }
    }
}
