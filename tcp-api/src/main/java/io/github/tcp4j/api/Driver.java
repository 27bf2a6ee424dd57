package io.github.tcp4j.api;

import io.github.tcp4j.core.host.TcpHost;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs a stack's protocol core, one thread at a time, and lets other code wait for it. Two kinds:
 * an {@link EventLoopDriver} (real time: a lock that any calling thread takes to run the core, and
 * an event-loop thread for timers and arrivals nobody else handles) and a {@link SimulatedDriver}
 * (the caller's thread drives a simulated network in virtual time). "On the stack" below means:
 * by whichever thread runs the core at that moment.
 */
interface Driver {

    /** Binds the driver to the host it runs (once, before any other call). */
    void bind(TcpHost host);

    /** Runs {@code work} on the stack (often on the calling thread) and returns its result, rethrowing what it throws. */
    <T> T call(Supplier<T> work);

    /** Runs {@code work} on the stack and waits for it, rethrowing what it throws. */
    default void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    /** Runs {@code work} on the stack soon (queued), without waiting. */
    void execute(Runnable work);

    /**
     * Blocks until {@code done} completes or {@code timeoutNanos} pass (0: no limit): real
     * time on an event loop, virtual time on a simulation (which runs meanwhile).
     *
     * @return true if {@code done} completed
     */
    boolean await(CompletableFuture<?> done, long timeoutNanos) throws InterruptedException;

    /**
     * Carries out a blocking read or write: attempts it on the stack at once, then waits until it
     * is done or {@code timeoutNanos} pass (0: no limit), real time on an event loop (where the
     * waiting thread helps with the stack's work), virtual time on a simulation (which runs
     * meanwhile). On timeout the call is still pending: the caller cancels it.
     *
     * @return true if the call is done
     */
    boolean perform(BlockingCall call, long timeoutNanos) throws InterruptedException;

    /** Stops the driver (after the stack released everything). */
    void shutdown();
}
