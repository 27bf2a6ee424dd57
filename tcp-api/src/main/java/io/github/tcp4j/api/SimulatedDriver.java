package io.github.tcp4j.api;

import io.github.tcp4j.core.host.TcpHost;
import io.github.tcp4j.core.transport.SimNetwork;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The virtual-time driver: the stack runs on a {@link SimNetwork}, and the thread that calls the
 * API is the one that drives the simulation. A blocking call runs the simulation until the call
 * can complete, or until its timeout passes in virtual time. Blocking calls must therefore not be
 * made from inside the simulation (from a handler or a scheduled action): use the async calls
 * there.
 */
final class SimulatedDriver implements Driver {

    /** How far virtual time may run for a call without a timeout before it is judged stuck. */
    static final Duration NO_TIMEOUT_LIMIT = Duration.ofDays(1);

    private final SimNetwork network;

    SimulatedDriver(SimNetwork network) {
        this.network = network;
    }

    @Override
    public void bind(TcpHost host) {
        // The network delivers segments and timers to the host itself (TcpHost is its node).
    }

    @Override
    public <T> T call(Supplier<T> work) {
        return work.get();
    }

    @Override
    public void execute(Runnable work) {
        work.run();
    }

    @Override
    public boolean await(CompletableFuture<?> done, long timeoutNanos) {
        return runUntil(done::isDone, timeoutNanos);
    }

    @Override
    public boolean perform(BlockingCall call, long timeoutNanos) {
        call.run();
        return runUntil(call::isDone, timeoutNanos);
    }

    private boolean runUntil(BooleanSupplier done, long timeoutNanos) {
        if (timeoutNanos > 0) {
            return network.runUntil(done, Duration.ofNanos(timeoutNanos));
        }
        if (network.runUntil(() -> done.getAsBoolean() || network.isIdle(), NO_TIMEOUT_LIMIT) && done.getAsBoolean()) {
            return true;
        }
        throw new IllegalStateException("the call can never complete: the simulated network "
                + (network.isIdle() ? "went idle" : "ran a virtual day") + " without it (seed " + network.seed()
                + "); did the other end's call run first? See TcpStack's documentation on virtual time");
    }

    @Override
    public void shutdown() {
        // Nothing runs by itself in virtual time.
    }
}
