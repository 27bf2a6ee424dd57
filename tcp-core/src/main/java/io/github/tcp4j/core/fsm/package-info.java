/**
 * The TCP state machine: the eleven states ({@link io.github.tcp4j.core.fsm.TcpState}) and, with
 * the state machine issue, the events, the actions and the transition table that maps
 * (state, event) to (next state, actions) as data.
 */
package io.github.tcp4j.core.fsm;
