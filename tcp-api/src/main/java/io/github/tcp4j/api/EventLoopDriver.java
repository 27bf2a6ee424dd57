package io.github.tcp4j.api;

import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.timer.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time driver: one thread owns the stack's protocol state. Calls from other threads are
 * queued to it; it runs them, the segments that arrive (also queued), and the timers when they
 * are due, and otherwise parks until the next timer or the next task. Waiting threads block on
 * {@link CompletableFuture}s (which park, never hold a monitor), so virtual threads can wait too.
 */
final class EventLoopDriver implements Driver, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoopDriver.class);
    /** The loop wakes at least this often, so a clock that jumps cannot leave it asleep for long. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Clock clock;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
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
        if (!running) {
            throw new IllegalStateException("the stack is closed");
        }
        tasks.add(work);
        LockSupport.unpark(thread);
    }

    @Override
    public boolean await(CompletableFuture<?> done, long timeoutNanos) throws InterruptedException {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("a blocking call on the stack's own thread would wait forever; use the async calls");
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
    public void run() {
        while (running || !tasks.isEmpty()) {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("a task on the stack's thread failed", e);
                }
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
            if (tasks.isEmpty() && running) {
                LockSupport.parkNanos(this, Math.min(MAX_PARK_NANOS, next - now));
            }
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
