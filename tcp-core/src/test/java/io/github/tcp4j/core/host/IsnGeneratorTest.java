package io.github.tcp4j.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.timer.ManualClock;
import io.github.tcp4j.core.wire.IpAddress;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IsnGeneratorTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Test
    void sipHashMatchesThePapersTestVectors() {
        // Key 00 01 .. 0f; message 00 01 .. (n-1); expected outputs from the SipHash paper's vectors.
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        byte[] message = new byte[64];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        SipHash sip = new SipHash();
        assertEquals(0x726fdb47dd0e0e31L, sip.hash(k0, k1, message, 0));
        assertEquals(0x74f839c593dc67fdL, sip.hash(k0, k1, message, 1));
        assertEquals(0xab0200f58b01d137L, sip.hash(k0, k1, message, 7));
        assertEquals(0x93f5f5799a932462L, sip.hash(k0, k1, message, 8));
        assertEquals(0xa129ca6149be45e5L, sip.hash(k0, k1, message, 15));
        assertEquals(0x3f2acc7f57c29bdbL, sip.hash(k0, k1, message, 16));
        assertEquals(0x958a324ceb064572L, sip.hash(k0, k1, message, 63));
    }

    @Test
    void theIsnIsATimerPlusAKeyedHashOfTheFourTuple() {
        ManualClock clock = new ManualClock();
        IsnGenerator isn = new IsnGenerator(clock, 1, 2);
        int f = isn.offset(A, 40000, B, 80);
        assertEquals(f, isn.isn(A, 40000, B, 80), "M is 0 at time 0");
        clock.advance(4_000 * 1000L); // 1000 ticks of 4 microseconds
        assertEquals(f + 1000, isn.isn(A, 40000, B, 80), "M counts 4 us ticks (RFC 9293 3.4.1)");
        clock.advance(3_999);
        assertEquals(f + 1000, isn.isn(A, 40000, B, 80));
        // Reproducible with a fixed secret, different with another one.
        assertEquals(f, new IsnGenerator(new ManualClock(), 1, 2).offset(A, 40000, B, 80));
        assertNotEquals(f, new IsnGenerator(new ManualClock(), 1, 3).offset(A, 40000, B, 80));
    }

    @Test
    void eachFourTupleGetsItsOwnSequenceSpace() {
        IsnGenerator isn = IsnGenerator.withRandomSecret(new ManualClock(), new SecureRandom());
        Set<Integer> offsets = new HashSet<>();
        for (int port = 1; port <= 10_000; port++) {
            offsets.add(isn.offset(A, port, B, 80));
        }
        // 10,000 values of a 32-bit keyed hash: collisions are possible but must be rare.
        assertTrue(offsets.size() > 9_980, "distinct offsets: " + offsets.size());
        assertNotEquals(isn.offset(A, 1, B, 80), isn.offset(B, 80, A, 1), "direction matters");
        IpAddress a6 = IpAddress.parse("fd00::1");
        IpAddress b6 = IpAddress.parse("fd00::2");
        assertNotEquals(isn.offset(a6, 1, b6, 2), isn.offset(a6, 1, b6, 3));
        assertThrows(IllegalArgumentException.class, () -> isn.offset(A, 1, b6, 2));
    }
}
