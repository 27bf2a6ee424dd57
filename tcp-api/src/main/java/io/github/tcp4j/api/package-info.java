/**
 * The socket facade of tcp4j: stacks, sockets and server sockets that feel like
 * {@code java.net}, drivers that run the core on real or virtual time, and real transports.
 *
 * <p>The facade arrives with the socket API issue; until then this module holds the module
 * descriptor and the package the facade will live in.
 */
package io.github.tcp4j.api;
