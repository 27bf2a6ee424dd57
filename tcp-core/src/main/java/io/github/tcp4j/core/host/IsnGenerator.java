package io.github.tcp4j.core.host;

import io.github.tcp4j.core.timer.Clock;
import io.github.tcp4j.core.wire.IpAddress;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Initial sequence numbers per RFC 6528: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a timer that ticks every 4 microseconds (RFC 9293 section
 * 3.4.1) read from the stack's {@link Clock}, and F is SipHash-2-4 keyed with a per-stack 128-bit
 * secret, truncated to 32 bits.
 *
 * <p>So each 4-tuple gets its own sequence space, which an off-path attacker cannot guess, and a
 * new incarnation of the same 4-tuple starts above the previous one because M keeps growing
 * (2^32 ticks of 4 us wrap after about 4.8 hours). Tests fix the secret (and use a manual clock)
 * so that runs are reproducible.
 *
 * <p>Not thread-safe: it reuses a scratch buffer; each stack's one thread owns its generator.
 */
public final class IsnGenerator {

    /** Nanoseconds per tick of M: 4 microseconds (RFC 9293 section 3.4.1). */
    public static final long NANOS_PER_TICK = 4_000L;

    private final Clock clock;
    private final long k0;
    private final long k1;
    private final byte[] scratch = new byte[36];
    private final SipHash sipHash = new SipHash();

    /** A generator with the given secret (fix it in tests for reproducible runs). */
    public IsnGenerator(Clock clock, long secretHigh, long secretLow) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.k0 = secretHigh;
        this.k1 = secretLow;
    }

    /** A generator with a secret drawn from {@code random} (a {@link SecureRandom} in production). */
    public static IsnGenerator withRandomSecret(Clock clock, SecureRandom random) {
        return new IsnGenerator(clock, random.nextLong(), random.nextLong());
    }

    /** The ISN for a new connection on this 4-tuple, now. */
    public int isn(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        int m = (int) Math.floorDiv(clock.nanos(), NANOS_PER_TICK);
        return m + offset(local, localPort, remote, remotePort);
    }

    /** F: the keyed hash of the 4-tuple, the part of the ISN that does not move with time. */
    public int offset(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        if (local.isV4() != remote.isV4()) {
            throw new IllegalArgumentException("mixed address families: " + local + " / " + remote);
        }
        int n = local.copyTo(scratch, 0);
        n += remote.copyTo(scratch, n);
        scratch[n++] = (byte) (localPort >>> 8);
        scratch[n++] = (byte) localPort;
        scratch[n++] = (byte) (remotePort >>> 8);
        scratch[n++] = (byte) remotePort;
        return (int) sipHash.hash(k0, k1, scratch, n);
    }
}
