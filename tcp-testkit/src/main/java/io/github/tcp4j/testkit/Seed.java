package io.github.tcp4j.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fixes the seed of the {@code SimNetwork} that {@link SimNetworkExtension} gives a test (or every
 * test of a class), for a test that must always see the same traffic. Without it, each run draws a
 * new seed; {@code -Dtcp4j.seed=N} overrides both, to re-run a failure.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Seed {

    /** The seed. */
    long value();
}
