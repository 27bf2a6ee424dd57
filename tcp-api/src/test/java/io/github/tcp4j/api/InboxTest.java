package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event loop's inbox: order, growth, producers on many threads, closing, and no garbage per entry. */
@Timeout(60)
class InboxTest {

    private static final IpAddress A = IpAddress.parse("10.0.0.1");
    private static final IpAddress B = IpAddress.parse("10.0.0.2");

    @Test
    void entriesComeOutInArrivalOrderAcrossGrowth() {
        Inbox inbox = new Inbox(2);
        List<Runnable> tasks = new ArrayList<>();
        List<ByteBuf> segments = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            if (i % 3 == 0) {
                Runnable t = () -> { };
                tasks.add(t);
                assertTrue(inbox.addTask(t));
            } else {
                ByteBuf b = Unpooled.buffer(1).writeByte(i);
                segments.add(b);
                assertTrue(inbox.addSegment(A, B, b));
            }
        }
        Inbox.Batch batch = inbox.take();
        assertEquals(10, batch.size());
        int t = 0;
        int s = 0;
        for (int i = 0; i < 10; i++) {
            if (i % 3 == 0) {
                assertFalse(batch.isSegment(i));
                assertSame(tasks.get(t++), batch.task(i));
            } else {
                assertTrue(batch.isSegment(i));
                assertSame(A, batch.source(i));
                assertSame(B, batch.destination(i));
                assertSame(segments.get(s++), batch.segment(i));
                batch.segment(i).release();
            }
        }
        assertNull(inbox.take(), "taken: the inbox is empty");
        inbox.recycle(batch);
        assertEquals(0, batch.size());
        assertTrue(inbox.isEmpty());
    }

    @Test
    void producersOnManyThreadsLoseNothingAndKeepTheirOwnOrder() throws Exception {
        Inbox inbox = new Inbox(4);
        int producers = 4;
        int each = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    inbox.addTask(new Numbered(id, i));
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        int[] next = new int[producers];
        int seen = 0;
        while (seen < producers * each) {
            Inbox.Batch batch = inbox.take();
            if (batch == null) {
                Thread.onSpinWait();
                continue;
            }
            for (int i = 0; i < batch.size(); i++) {
                Numbered n = (Numbered) batch.task(i);
                assertEquals(next[n.producer], n.index, "producer " + n.producer + "'s entries in order");
                next[n.producer]++;
                seen++;
            }
            inbox.recycle(batch);
        }
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(inbox.isEmpty());
    }

    private record Numbered(int producer, int index) implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void closingHandsBackWhatWaitsAndRefusesTheRest() {
        Inbox inbox = new Inbox(4);
        ByteBuf first = Unpooled.buffer(1);
        assertTrue(inbox.addSegment(A, B, first));
        Inbox.Batch rest = inbox.close();
        assertEquals(1, rest.size());
        assertSame(first, rest.segment(0));
        first.release();
        ByteBuf late = Unpooled.buffer(1);
        assertFalse(inbox.addSegment(A, B, late), "refused: the caller keeps the buffer");
        assertEquals(1, late.refCnt());
        late.release();
        assertFalse(inbox.addTask(() -> { }));
        assertNull(inbox.close());
    }

    @Test
    void steadyStateAddsAndTakesAllocateNothing() {
        com.sun.management.ThreadMXBean threads;
        try {
            threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        } catch (ClassCastException e) {
            Assumptions.assumeTrue(false, "this JVM does not count allocated bytes per thread");
            return;
        }
        Inbox inbox = new Inbox(16);
        ByteBuf segment = Unpooled.EMPTY_BUFFER;
        Runnable task = () -> { };
        long used = 0;
        for (int round = 0; round < 5; round++) { // the arrays grow in round 0; later rounds reuse them
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                for (int k = 0; k < 100; k++) {
                    inbox.addSegment(A, B, segment);
                    inbox.addTask(task);
                }
                inbox.recycle(inbox.take());
            }
            used = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(used < 1024, "2,000,000 entries allocated " + used + " bytes");
    }
}
