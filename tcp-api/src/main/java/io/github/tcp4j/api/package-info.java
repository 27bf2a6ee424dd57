/**
 * The socket API: {@link io.github.tcp4j.api.TcpStack} (built on a transport for real time, or on a
 * simulated network for virtual time), {@link io.github.tcp4j.api.TcpSocket} and
 * {@link io.github.tcp4j.api.TcpServerSocket}, with {@code java.net} semantics and exceptions.
 */
package io.github.tcp4j.api;
