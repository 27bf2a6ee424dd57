package io.github.tcp4j.core.testsupport;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Proves that {@link io.github.tcp4j.testsupport.LeakCheckListener} fails the build: run with {@code -Dtcp4j.leakDemo=true}
 * and the test JVM halts with status 77 after printing the leak. Disabled otherwise.
 */
class DeliberateLeakTest {

    @Test
    @EnabledIfSystemProperty(named = "tcp4j.leakDemo", matches = "true")
    void leaksOneBuffer() {
        Unpooled.directBuffer(16).writeInt(1); // never released, on purpose
    }
}
