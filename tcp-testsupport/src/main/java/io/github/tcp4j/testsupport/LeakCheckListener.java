package io.github.tcp4j.testsupport;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Turns Netty's leak reports into a failed build. Netty's paranoid detector only logs a leak
 * when the garbage collector finds a buffer that was never released; this listener (registered
 * through {@code META-INF/services}, so it sees every engine's tests, Jupiter's and jqwik's)
 * installs a detector that records each report, and at the end of the test run collects garbage,
 * lets the detectors poll, and halts the test JVM with status 77 and the leak records on
 * standard error if anything leaked, which fails the Surefire run.
 */
public final class LeakCheckListener implements TestExecutionListener {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        for (int round = 0; round < 3 && LEAKS.isEmpty(); round++) {
            collectGarbage();
            // A detector polls its queue of collected-but-unreleased buffers when it tracks a new one.
            for (int i = 0; i < 100; i++) {
                UnpooledByteBufAllocator.DEFAULT.directBuffer(1).release();
                UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
            }
        }
        if (!LEAKS.isEmpty()) {
            System.err.println("LEAK: " + LEAKS.size() + " Netty buffer(s) were never released:");
            LEAKS.forEach(System.err::println);
            System.err.flush();
            Runtime.getRuntime().halt(77);
        }
    }

    /** Runs a GC and waits until the JVM has processed references (a sentinel's phantom is enqueued). */
    private static void collectGarbage() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                if (queue.remove(200) != null) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        sentinel.clear();
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + " leaked:" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " leaked (no records)");
        }
    }
}
