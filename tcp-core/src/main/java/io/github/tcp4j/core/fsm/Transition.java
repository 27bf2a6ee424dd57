package io.github.tcp4j.core.fsm;

import java.util.List;
import java.util.Objects;

/**
 * One cell of the state machine's table: the next state, the actions to run in order, and why,
 * with the RFC section that says so.
 *
 * @param next the state after the event (the same state when nothing changes)
 * @param actions what to do, in order; empty when the event is ignored
 * @param why a one-line reason a learner can read, citing the RFC
 */
public record Transition(TcpState next, List<Action> actions, String why) {

    /** Validates and freezes the fields. */
    public Transition {
        Objects.requireNonNull(next, "next");
        actions = List.copyOf(actions);
        Objects.requireNonNull(why, "why");
    }

    /** True when the event changes nothing at all: same state, no action. */
    public boolean isIgnored() {
        return actions.isEmpty();
    }
}
