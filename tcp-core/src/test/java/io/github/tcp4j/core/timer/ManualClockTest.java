package io.github.tcp4j.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void movesOnlyWhenTold() {
        ManualClock clock = new ManualClock(5);
        assertEquals(5, clock.nanos());
        clock.advance(Duration.ofMinutes(4)); // a 2MSL of four minutes, in no time at all
        assertEquals(5 + 240_000_000_000L, clock.nanos());
        assertEquals(240_000, clock.millis());
        clock.set(clock.nanos());
        assertEquals(5 + 240_000_000_000L, clock.nanos());
    }

    @Test
    void refusesToGoBackwardsOrOverflow() {
        ManualClock clock = new ManualClock(100);
        assertThrows(IllegalArgumentException.class, () -> clock.set(99));
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
        clock.set(Long.MAX_VALUE - 1);
        assertThrows(ArithmeticException.class, () -> clock.advance(2));
        assertEquals(Long.MAX_VALUE - 1, clock.nanos());
    }

    @Test
    void millisRoundDownEvenBeforeTheOrigin() {
        assertEquals(-1, new ManualClock(-1).millis());
        assertEquals(0, new ManualClock(999_999).millis());
    }

    @Test
    void systemClockIsMonotonic() {
        long a = SystemClock.INSTANCE.nanos();
        long b = SystemClock.INSTANCE.nanos();
        assertTrue(b >= a);
    }
}
