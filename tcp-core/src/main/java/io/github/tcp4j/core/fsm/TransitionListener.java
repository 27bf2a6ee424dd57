package io.github.tcp4j.core.fsm;

/** Receives every transition of the connections it is registered with, on the stack's thread. */
@FunctionalInterface
public interface TransitionListener {

    /** A connection changed state (or took an event that keeps its state, when the source reports those too). */
    void onTransition(TransitionRecord transition);
}
