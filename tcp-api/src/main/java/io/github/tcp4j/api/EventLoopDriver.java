package io.github.tcp4j.api;

import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.timer.Clock;
import io.github.tcp4j.core.transport.SegmentReceiver;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time driver. The stack's protocol core is single-threaded; here one lock, the stack
 * lock, makes it so: whoever holds the lock runs the core, and nobody else touches it. Two kinds
 * of thread take the lock:
 * <ul>
 *   <li><b>Application threads</b> making a call run it themselves: a blocking read, write,
 *       connect or close takes the lock, works through what waits in the {@link Inbox} (segments
 *       that arrived, queued tasks, due timers), makes its call and lets go. A blocking call that
 *       must wait (no data yet, no room in the send buffer) parks, offering itself as the stack's
 *       <em>helper</em>: a segment that arrives while nobody holds the lock wakes the helper, which
 *       takes the lock, works through the inbox (which may be what it waited for) and parks again
 *       if still not done. A bulk writer and a bulk reader therefore do all the protocol work of
 *       their transfer on their own two threads, as the kernel does a socket's work in the calling
 *       process, with no hand-over to a third thread per call or per segment.</li>
 *   <li><b>The driver's own thread</b> (the event loop) handles what no application thread is
 *       there for: timers when they are due, and arrivals when no helper waits (an idle
 *       connection's ACK, a SYN for a listener, async calls). It parks until the next timer or
 *       until woken.</li>
 * </ul>
 *
 * <p><b>No entry is forgotten.</b> After adding to the inbox a producer wakes a helper (or the loop)
 * only if the lock is free; a holder, after letting go of the lock, looks at the inbox once more
 * and works through it (or wakes someone) if something came in meanwhile.
 *
 * <p>Handlers, transition listeners and the completion of async futures therefore run on whatever
 * thread holds the lock, always one at a time. Waiting threads park (on a {@link CompletableFuture}
 * or a {@link BlockingCall}) and never hold a monitor, so virtual threads can wait; a blocking call
 * made while holding the lock (from a handler) fails rather than waiting forever.
 */
final class EventLoopDriver implements Driver, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoopDriver.class);
    /** The loop wakes at least this often, so a clock that jumps cannot leave it asleep for long. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Entries the inbox holds before its arrays grow (then they stay at the busiest size). */
    private static final int INBOX_CAPACITY = 1024;
    /** Batches one holder works through per turn, so a steady stream cannot keep a caller from returning. */
    private static final int BATCHES_PER_TURN = 4;
    /** How long a blocking call watches for work before it parks (see {@link #spinUntilWork}). */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("io.github.tcp4j.spinMicros", 50));
    private static final boolean SPIN = SPIN_NANOS > 0 && Runtime.getRuntime().availableProcessors() > 1;
    /**
     * How late a timer may fire rather than wake the sleeping loop early for it: a holder that
     * moved the next deadline earlier (a re-armed timer, the wheel's next cascade) wakes the loop
     * only if the loop would otherwise sleep past it by more than this.
     */
    private static final long TIMER_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How soon the loop looks again when a caller held the lock (a timer tick). */
    private static final long BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Clock clock;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Inbox inbox = new Inbox(INBOX_CAPACITY);
    private volatile boolean running = true;
    private volatile boolean loopSleeping;
    /** When the sleeping loop means to wake (its clock), or {@code Long.MIN_VALUE} while it is awake. */
    private volatile long loopWakeAt = Long.MIN_VALUE;
    /** The host's next timer deadline as the last holder of the lock left it. */
    private volatile long nextDeadlineHint = Long.MAX_VALUE;
    /** A thread parked in a blocking call, ready to work through arrivals (null: none). */
    private volatile Thread helper;
    private TcpHost host;

    EventLoopDriver(Clock clock, String name) {
        this.clock = clock;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    @Override
    public void bind(TcpHost h) {
        this.host = h;
        thread.start();
    }

    // ------------------------------------------------------------------ calls

    @Override
    public <T> T call(Supplier<T> work) {
        if (lock.isHeldByCurrentThread()) {
            return work.get();
        }
        checkRunning();
        lockStack();
        try {
            runPending();
            return work.get();
        } finally {
            release();
        }
    }

    @Override
    public void execute(Runnable work) {
        if (!running || !inbox.addTask(work)) {
            throw new IllegalStateException("the stack is closed");
        }
        signal();
    }

    /**
     * Hands an arriving segment to the stack (from any thread); the reference goes with it. After
     * the stack closed the segment is released here.
     */
    void deliver(IpAddress source, IpAddress destination, ByteBuf segment) {
        if (!inbox.addSegment(source, destination, segment)) {
            segment.release();
            return;
        }
        signal();
    }

    /**
     * Like {@link #deliver(IpAddress, IpAddress, ByteBuf)} for a segment that arrives as a header
     * and a payload by reference (both references go with it).
     */
    void deliver(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index, int length) {
        if (!inbox.addSegment(source, destination, header, payload, index, length)) {
            header.release();
            payload.release();
            return;
        }
        signal();
    }

    /** What a transport hands arriving segments to: this driver's inbox, in both forms. */
    SegmentReceiver receiver() {
        return new SegmentReceiver() {
            @Override
            public void receive(IpAddress source, IpAddress destination, ByteBuf segment) {
                deliver(source, destination, segment);
            }

            @Override
            public void receive(IpAddress source, IpAddress destination, ByteBuf header, ByteBuf payload, int index,
                    int length) {
                deliver(source, destination, header, payload, index, length);
            }
        };
    }

    @Override
    public boolean perform(BlockingCall call, long timeoutNanos) throws InterruptedException {
        if (lock.isHeldByCurrentThread()) {
            call.run();
            if (call.isDone()) {
                return true;
            }
            throw ownThread();
        }
        checkRunning();
        lockStack();
        try {
            runPending();
            call.run();
        } finally {
            release();
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        Thread me = Thread.currentThread();
        while (!call.isDone()) {
            long left = 0;
            if (timeoutNanos > 0) {
                left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
            }
            helper = me;
            try {
                // Look once more after offering to help: work waits that nobody is doing. (Entries
                // while another thread holds the lock are its to do: it looks before letting go.)
                if (!call.isDone() && (inbox.isEmpty() || lock.isLocked()) && !spinUntilWork(call)) {
                    if (timeoutNanos > 0) {
                        LockSupport.parkNanos(this, left);
                    } else {
                        LockSupport.park(this);
                    }
                }
            } finally {
                if (helper == me) {
                    helper = null;
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (!call.isDone() && !inbox.isEmpty() && lock.tryLock()) {
                try {
                    runPending();
                } finally {
                    release();
                }
            }
        }
        return true;
    }

    /**
     * Before a helper parks: watches for a few microseconds whether its call completes or work
     * arrives that nobody is doing. In a steady transfer the next segment (or ACK) usually comes
     * within that time, and catching it here saves the producer's wake-up system call and this
     * thread's sleep and reschedule, which cost more than the spin (on a single processor there
     * is nobody to watch for, and this returns at once).
     *
     * @return true if there is something to do (do not park)
     */
    private boolean spinUntilWork(BlockingCall call) {
        if (!SPIN) {
            return false;
        }
        long until = System.nanoTime() + SPIN_NANOS;
        for (int i = 1; ; i++) {
            Thread.onSpinWait();
            if (call.isDone() || (!inbox.isEmpty() && !lock.isLocked())) {
                return true;
            }
            if ((i & 15) == 0 && System.nanoTime() - until >= 0) { // the clock costs more than a look
                return false;
            }
        }
    }

    @Override
    public boolean await(CompletableFuture<?> done, long timeoutNanos) throws InterruptedException {
        if (lock.isHeldByCurrentThread()) {
            throw ownThread();
        }
        try {
            if (timeoutNanos <= 0) {
                done.get();
            } else {
                done.get(timeoutNanos, TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // completed, exceptionally: the caller's next attempt reports it
        }
    }

    /**
     * Takes the stack lock, trying a while before queueing for it: holders keep it for one call or
     * one batch of arrivals, and queueing would park this thread and allocate a node of the
     * lock's wait queue.
     */
    private void lockStack() {
        for (int i = 0; i < 64; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    private static IllegalStateException ownThread() {
        return new IllegalStateException("a blocking call on the stack's own thread would wait forever; use the async calls");
    }

    private void checkRunning() {
        if (!running) {
            throw new IllegalStateException("the stack is closed");
        }
    }

    // ------------------------------------------------------------------ the lock and the inbox

    /** After adding to the inbox: if nobody holds the lock, wake someone to work through it. */
    private void signal() {
        if (!lock.isLocked()) {
            wakeSomeone(); // a holder looks at the inbox after letting go (release), so none is needed then
        }
    }

    private void wakeSomeone() {
        Thread h = helper;
        if (h != null) {
            LockSupport.unpark(h);
        } else if (loopSleeping) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Lets go of the lock. What arrived after the holder's last look is worked through now (the
     * holder takes the lock again for it, a few times at most) or left to whoever holds the lock
     * by then, or to a helper or the loop, woken for it.
     */
    private void release() {
        for (int turn = 0; ; turn++) {
            nextDeadlineHint = host.nextDeadline();
            lock.unlock();
            // The loop alone watches timers: wake it if it sleeps past the next deadline (a holder
            // scheduled an earlier timer). Read after letting go, so that a loop that announces its
            // sleep at the same moment either sees the new hint or is seen here (see run()).
            long wakeAt = loopWakeAt;
            if (wakeAt != Long.MIN_VALUE && nextDeadlineHint < wakeAt - TIMER_SLACK_NANOS) {
                LockSupport.unpark(thread);
            }
            if (inbox.isEmpty()) {
                return;
            }
            if (turn == 2) {
                wakeSomeone();
                return;
            }
            if (!lock.tryLock()) {
                return; // the new holder looks before it lets go
            }
            runPending();
        }
    }

    /** With the lock held: works through what waits in the inbox, then the timers that are due. */
    private void runPending() {
        Inbox.Batch batch;
        for (int i = 0; i < BATCHES_PER_TURN && (batch = inbox.take()) != null; i++) {
            work(batch);
            inbox.recycle(batch);
        }
        long now = clock.nanos();
        if (host.nextDeadline() <= now) {
            try {
                host.onTime(now);
            } catch (RuntimeException e) {
                LOG.error("a timer of the stack failed", e);
            }
        }
    }

    private void work(Inbox.Batch batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.isSegment(i)) {
                try {
                    if (batch.payload(i) != null) {
                        host.receive(batch.source(i), batch.destination(i), batch.segment(i), batch.payload(i),
                                batch.payloadIndex(i), batch.payloadLength(i));
                    } else {
                        host.receive(batch.source(i), batch.destination(i), batch.segment(i));
                    }
                } catch (RuntimeException e) {
                    LOG.error("an arriving segment failed", e);
                }
            } else {
                runTask(batch.task(i));
            }
        }
    }

    private static void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("a task of the stack failed", e);
        }
    }

    // ------------------------------------------------------------------ the loop

    @Override
    public void run() {
        while (running) {
            long now;
            long wakeAt;
            boolean held = lock.tryLock();
            if (held) {
                try {
                    runPending();
                } finally {
                    release();
                }
                now = clock.nanos();
                long next = nextDeadlineHint;
                if (next <= now) {
                    continue;
                }
                wakeAt = now + Math.min(MAX_PARK_NANOS, next - now);
            } else {
                // A caller holds the lock: it works through the inbox, and through the due timers on
                // its way in. Look again in a while (waiting for the lock would queue this thread
                // behind a busy caller, and allocate a queue node each time).
                now = clock.nanos();
                wakeAt = now + Math.min(MAX_PARK_NANOS, Math.max(BUSY_RETRY_NANOS, nextDeadlineHint - now));
            }
            loopWakeAt = wakeAt;
            loopSleeping = true;
            // Look once more after announcing the sleep: an entry nobody works through, or an
            // earlier timer a holder set.
            boolean stay = held ? inbox.isEmpty() && nextDeadlineHint >= wakeAt : inbox.isEmpty() || lock.isLocked();
            if (stay && running) {
                LockSupport.parkNanos(this, wakeAt - now);
            }
            loopSleeping = false;
            loopWakeAt = Long.MIN_VALUE;
        }
        lock.lock();
        try {
            Inbox.Batch last = inbox.close(); // what came after the last look: tasks run, segments dropped
            if (last != null) {
                for (int i = 0; i < last.size(); i++) {
                    if (last.isSegment(i)) {
                        last.segment(i).release();
                        if (last.payload(i) != null) {
                            last.payload(i).release();
                        }
                    } else {
                        runTask(last.task(i));
                    }
                }
                last.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
