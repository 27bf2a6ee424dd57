/** JUnit 5 support for protocol tests on tcp4j's simulated network. */
package io.github.tcp4j.testkit;
