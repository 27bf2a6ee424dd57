/**
 * One TCP endpoint host: demultiplexing by 4-tuple, listeners, port allocation, initial sequence
 * numbers ({@link io.github.tcp4j.core.host.IsnGenerator}), RSTs for segments that match
 * nothing. The host itself arrives with the state machine issue; the ISN generator is here.
 */
package io.github.tcp4j.core.host;
