package io.github.tcp4j.core.transport;

/**
 * A protocol engine attached to a host of a {@link SimNetwork}: it receives segments, and tells
 * the simulator when it next needs to run (its earliest timer), so virtual time can jump straight
 * there and an idle connection costs nothing to simulate.
 *
 * <p>The simulator calls these methods from one thread, with the network's
 * {@link SimNetwork#clock() clock} already set to the current virtual time.
 */
public interface SimNode extends SegmentReceiver {

    /** Virtual time (nanoseconds of the network's clock) of this node's next timer; {@link Long#MAX_VALUE} for none. */
    default long nextDeadline() {
        return Long.MAX_VALUE;
    }

    /**
     * Called once {@link #nextDeadline()} is due: fire every timer due at or before {@code nowNanos}.
     * A node that leaves its deadline in the past would be called again and again; the network's
     * event limit stops that with an error.
     */
    default void onTime(long nowNanos) {
    }
}
