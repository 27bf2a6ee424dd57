package io.github.tcp4j.core.host;

import io.github.tcp4j.core.wire.IpAddress;

/**
 * A connection's 4-tuple as a hash key. The host keeps one mutable probe for look-ups, so finding
 * the connection of an arriving segment allocates nothing; keys stored in the table are never
 * changed.
 */
final class ConnectionKey {

    private IpAddress local;
    private int localPort;
    private IpAddress remote;
    private int remotePort;
    private int hash;

    ConnectionKey() {
    }

    ConnectionKey(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        set(local, localPort, remote, remotePort);
    }

    ConnectionKey set(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        this.local = local;
        this.localPort = localPort;
        this.remote = remote;
        this.remotePort = remotePort;
        this.hash = ((local.hashCode() * 31 + remote.hashCode()) * 31 + localPort) * 65537 + remotePort;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectionKey)) {
            return false;
        }
        ConnectionKey k = (ConnectionKey) o;
        return localPort == k.localPort && remotePort == k.remotePort && local.equals(k.local) && remote.equals(k.remote);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return local + ":" + localPort + " > " + remote + ":" + remotePort;
    }
}
