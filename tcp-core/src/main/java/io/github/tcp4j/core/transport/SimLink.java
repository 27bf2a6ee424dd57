package io.github.tcp4j.core.transport;

/**
 * A bidirectional link between two hosts of a {@link SimNetwork}: two independent
 * {@link LinkDirection}s, each with its own configuration, faults and counters.
 */
public final class SimLink {

    private final LinkDirection aToB;
    private final LinkDirection bToA;

    SimLink(LinkDirection aToB, LinkDirection bToA) {
        this.aToB = aToB;
        this.bToA = bToA;
    }

    /** The direction from the first host given to {@link SimNetwork#link} to the second. */
    public LinkDirection aToB() {
        return aToB;
    }

    /** The direction from the second host to the first. */
    public LinkDirection bToA() {
        return bToA;
    }

    /**
     * The direction from {@code from} to the other end.
     *
     * @throws IllegalArgumentException if {@code from} is not an end of this link
     */
    public LinkDirection from(SimHost from) {
        if (from == aToB.from()) {
            return aToB;
        }
        if (from == bToA.from()) {
            return bToA;
        }
        throw new IllegalArgumentException(from + " is not an end of " + this);
    }

    /**
     * The direction carrying {@code from}'s segments to {@code to}.
     *
     * @throws IllegalArgumentException if the two hosts are not the two ends of this link
     */
    public LinkDirection direction(SimHost from, SimHost to) {
        LinkDirection d = from(from);
        if (d.to() != to) {
            throw new IllegalArgumentException(to + " is not the other end of " + this);
        }
        return d;
    }

    /** Both directions' counters, first host's direction first, e.g. for a failure message. */
    @Override
    public String toString() {
        return "SimLink[" + aToB + "; " + bToA + "]";
    }

    /** Cuts both directions now. */
    public SimLink partition() {
        aToB.partition();
        bToA.partition();
        return this;
    }

    /** Restores both directions now. */
    public SimLink heal() {
        aToB.heal();
        bToA.heal();
        return this;
    }

    /** Cuts both directions at virtual time {@code atNanos}. */
    public SimLink partitionAt(long atNanos) {
        aToB.partitionAt(atNanos);
        bToA.partitionAt(atNanos);
        return this;
    }

    /** Restores both directions at virtual time {@code atNanos}. */
    public SimLink healAt(long atNanos) {
        aToB.healAt(atNanos);
        bToA.healAt(atNanos);
        return this;
    }
}
