package io.github.tcp4j.testkit;

import io.github.tcp4j.core.transport.SimNetwork;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives each test a fresh {@link SimNetwork} (a parameter of the test method), seeded so that a
 * failure can be replayed bit for bit, and closes it after the test.
 *
 * <pre>{@code
 * @ExtendWith(SimNetworkExtension.class)
 * class MyProtocolTest {
 *     @Test
 *     void survivesLoss(SimNetwork net) { ... }
 * }
 * }</pre>
 *
 * <p>The seed is, in order: the system property {@code tcp4j.seed} (to re-run a failure), the
 * test's or its class's {@link Seed}, or a fresh random one. When a test fails, the extension
 * prints the seed and the command line property that replays it:
 * {@code tcp4j: SimNetwork seed 8047113 (re-run with -Dtcp4j.seed=8047113)}.
 */
public final class SimNetworkExtension implements ParameterResolver, AfterEachCallback, TestWatcher {

    /** The system property that forces a seed. */
    public static final String SEED_PROPERTY = "tcp4j.seed";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SimNetworkExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SimNetwork.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        return store.getOrComputeIfAbsent("network", k -> {
            long seed = seedFor(context);
            store.put("seed", seed);
            return new SimNetwork(seed);
        }, SimNetwork.class);
    }

    /** The seed this test's network gets (see the class comment for the order). */
    static long seedFor(ExtensionContext context) {
        String forced = System.getProperty(SEED_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return Long.parseLong(forced.trim());
        }
        Optional<Seed> fixed = context.getTestMethod().map(SimNetworkExtension::seedOf)
                .or(() -> context.getTestClass().map(SimNetworkExtension::seedOf));
        return fixed.map(Seed::value).orElseGet(() -> ThreadLocalRandom.current().nextLong());
    }

    private static Seed seedOf(AnnotatedElement e) {
        return e.getAnnotation(Seed.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SimNetwork net = context.getStore(NS).remove("network", SimNetwork.class);
        if (net != null) {
            net.close();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Long seed = context.getStore(NS).get("seed", Long.class);
        if (seed != null) {
            String message = "tcp4j: SimNetwork seed " + seed + " (re-run with -D" + SEED_PROPERTY + "=" + seed + ")";
            System.err.println(context.getDisplayName() + ": " + message);
            context.publishReportEntry("tcp4j.seed", String.valueOf(seed));
        }
    }
}
