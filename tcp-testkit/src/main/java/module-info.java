/**
 * tcp4j test kit: JUnit 5 support for protocol tests on the simulated network
 * ({@link io.github.tcp4j.testkit.SimNetworkExtension}).
 */
module io.github.tcp4j.testkit {
    requires transitive io.github.tcp4j.api;
    requires transitive org.junit.jupiter.api;

    exports io.github.tcp4j.testkit;
}
