package io.github.tcp4j.core.host;

import io.github.tcp4j.core.wire.IpAddress;
import java.util.Objects;

/**
 * Chooses the local (ephemeral) port of an active open, by RFC 6056's "simple hash-based port
 * selection" (Algorithm 3, section 3.3.3): the search starts at an offset that is a keyed hash of
 * the local address, remote address and remote port, plus a counter, so ports are hard to guess
 * from outside yet successive connections to the same peer do not collide early.
 *
 * <p>A port is suitable when the caller's {@link TupleInUse} says the 4-tuple is free: not held by
 * a connection, and not by a TIME-WAIT record (unless the caller applies RFC 6191 and allows it).
 * Every port of the range is tried at most once; when none is free the allocator says so.
 *
 * <p>Not thread-safe: one per stack, used from its thread.
 */
public final class PortAllocator {

    /** IANA's dynamic port range (RFC 6335): 49152..65535. */
    public static final int IANA_LOW = 49152;
    /** Upper end of IANA's dynamic port range. */
    public static final int IANA_HIGH = 65535;
    /** What {@link #allocate} returns when every port of the range is taken. */
    public static final int EXHAUSTED = -1;

    /** Tells whether a 4-tuple is taken (by a connection or a TIME-WAIT record). */
    @FunctionalInterface
    public interface TupleInUse {
        /** True if {@code local}:{@code localPort} to {@code remote}:{@code remotePort} is taken. */
        boolean inUse(IpAddress local, int localPort, IpAddress remote, int remotePort);
    }

    private final int low;
    private final int count;
    private final long k0;
    private final long k1;
    private final byte[] scratch = new byte[34];
    private final SipHash sipHash = new SipHash();
    private int nextEphemeral;

    /**
     * An allocator for ports {@code low..high} (inclusive) with the given 128-bit secret.
     *
     * @throws IllegalArgumentException unless 1 <= low <= high <= 65535
     */
    public PortAllocator(int low, int high, long secretHigh, long secretLow) {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("port range must satisfy 1 <= low <= high <= 65535: " + low + ".." + high);
        }
        this.low = low;
        this.count = high - low + 1;
        this.k0 = secretHigh;
        this.k1 = secretLow;
    }

    /**
     * A free local port for a connection from {@code local} to {@code remote}:{@code remotePort},
     * or {@link #EXHAUSTED}.
     */
    public int allocate(IpAddress local, IpAddress remote, int remotePort, TupleInUse inUse) {
        Objects.requireNonNull(inUse, "inUse");
        if (local.isV4() != remote.isV4()) {
            throw new IllegalArgumentException("mixed address families: " + local + " / " + remote);
        }
        int offset = Math.floorMod(offset(local, remote, remotePort), count);
        for (int tried = 0; tried < count; tried++) {
            // RFC 6056 3.3.3: port = min + (next_ephemeral + offset) % num_ephemeral
            int port = low + Math.floorMod(nextEphemeral + offset, count);
            nextEphemeral++;
            if (!inUse.inUse(local, port, remote, remotePort)) {
                return port;
            }
        }
        return EXHAUSTED;
    }

    private int offset(IpAddress local, IpAddress remote, int remotePort) {
        int n = local.copyTo(scratch, 0);
        n += remote.copyTo(scratch, n);
        scratch[n++] = (byte) (remotePort >>> 8);
        scratch[n++] = (byte) remotePort;
        return (int) sipHash.hash(k0, k1, scratch, n);
    }
}
