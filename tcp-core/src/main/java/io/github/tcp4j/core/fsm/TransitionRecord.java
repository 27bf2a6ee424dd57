package io.github.tcp4j.core.fsm;

import java.util.Objects;

/**
 * One observed transition: which connection, when, from which state, on which event, to which
 * state, and what caused it. Tests, logging, the netstat view and the teaching output all read
 * this one stream.
 *
 * @param timeNanos the clock's time of the transition (virtual on the simulator)
 * @param connection the connection, e.g. {@code "10.0.0.1:40000 > 10.0.0.2:80"}
 * @param from the state before
 * @param event what happened
 * @param to the state after
 * @param cause a one-line summary of the segment or call that caused it
 */
public record TransitionRecord(long timeNanos, String connection, TcpState from, TcpEvent event, TcpState to, String cause) {

    /** Validates the fields. */
    public TransitionRecord {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(cause, "cause");
    }

    /** E.g. {@code "LISTEN -> SYN_RECEIVED on SYN (40000 > 80 [SYN] seq=0 ...)"}. */
    @Override
    public String toString() {
        return from + " -> " + to + " on " + event.label() + " (" + cause + ")";
    }
}
