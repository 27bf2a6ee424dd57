package io.github.tcp4j.api;

import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.timer.Clock;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time driver: one thread owns the stack's protocol state. Calls from other threads and
 * the segments that arrive are handed to it through an {@link Inbox} (which allocates nothing per
 * entry); it runs them in arrival order, and the timers when they are due, and otherwise parks
 * until the next timer or the next hand-over. Waiting threads park too (on a
 * {@link CompletableFuture}, or on a {@link BlockingCall} for the blocking reads and writes), never
 * holding a monitor, so virtual threads can wait.
 *
 * <p>The loop is woken only when it sleeps: it announces that it is about to park, looks at the
 * inbox once more, and parks; a producer that adds to the inbox unparks it only if it announced
 * so. A burst of segments therefore costs one wake-up, not one per segment.
 */
final class EventLoopDriver implements Driver, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoopDriver.class);
    /** The loop wakes at least this often, so a clock that jumps cannot leave it asleep for long. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Entries the inbox holds before its arrays grow (then they stay at the busiest size). */
    private static final int INBOX_CAPACITY = 1024;

    private final Clock clock;
    private final Thread thread;
    private final Inbox inbox = new Inbox(INBOX_CAPACITY);
    private volatile boolean running = true;
    private volatile boolean sleeping;
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

    @Override
    public <T> T call(Supplier<T> work) {
        if (Thread.currentThread() == thread) {
            return work.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the stack's thread", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new CompletionException(cause);
        }
    }

    @Override
    public void execute(Runnable work) {
        if (!running || !inbox.addTask(work)) {
            throw new IllegalStateException("the stack is closed");
        }
        wake();
    }

    /**
     * Hands an arriving segment to the stack's thread (from any thread); the reference goes with
     * it. After the stack closed the segment is released here.
     */
    void deliver(IpAddress source, IpAddress destination, ByteBuf segment) {
        if (!inbox.addSegment(source, destination, segment)) {
            segment.release();
            return;
        }
        wake();
    }

    private void wake() {
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void submit(BlockingCall call) {
        if (Thread.currentThread() == thread) {
            call.run();
            return;
        }
        execute(call);
    }

    @Override
    public boolean await(CompletableFuture<?> done, long timeoutNanos) throws InterruptedException {
        if (Thread.currentThread() == thread) {
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

    @Override
    public boolean await(BlockingCall call, long timeoutNanos) throws InterruptedException {
        if (Thread.currentThread() == thread) {
            if (call.isDone()) {
                return true;
            }
            throw ownThread();
        }
        return call.park(timeoutNanos);
    }

    private static IllegalStateException ownThread() {
        return new IllegalStateException("a blocking call on the stack's own thread would wait forever; use the async calls");
    }

    @Override
    public void run() {
        while (true) {
            Inbox.Batch batch = inbox.take();
            if (batch != null) {
                work(batch);
                inbox.recycle(batch);
            }
            long now = clock.nanos();
            long next = host.nextDeadline();
            if (next <= now) {
                try {
                    host.onTime(now);
                } catch (RuntimeException e) {
                    LOG.error("a timer on the stack's thread failed", e);
                }
                continue;
            }
            if (batch != null) {
                continue; // look again before sleeping: more may have come while this batch ran
            }
            if (!running) {
                break;
            }
            sleeping = true;
            if (inbox.isEmpty() && running) {
                LockSupport.parkNanos(this, Math.min(MAX_PARK_NANOS, next - now));
            }
            sleeping = false;
        }
        Inbox.Batch last = inbox.close(); // whatever came after the last look: tasks run, segments dropped
        if (last != null) {
            for (int i = 0; i < last.size(); i++) {
                if (last.isSegment(i)) {
                    last.segment(i).release();
                } else {
                    runTask(last.task(i));
                }
            }
            last.clear();
        }
    }

    private void work(Inbox.Batch batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.isSegment(i)) {
                try {
                    host.receive(batch.source(i), batch.destination(i), batch.segment(i));
                } catch (RuntimeException e) {
                    LOG.error("a segment on the stack's thread failed", e);
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
            LOG.error("a task on the stack's thread failed", e);
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
