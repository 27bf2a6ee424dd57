package io.github.tcp4j.api;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The blocking calls of one direction of a socket (reads, or writes) that wait for a signal
 * (readable, writable, closed), used only while running the stack. {@link #retry} gives each another attempt
 * and keeps those that must wait on. A signal that arrives while a retry is under way (an attempt
 * can make the connection signal again) is not lost: the retry goes round once more. Allocates
 * nothing once its array has grown to the number of threads that wait at once.
 */
final class PendingCalls {

    private BlockingCall[] calls = new BlockingCall[2];
    private int size;
    private boolean retrying;
    private boolean again;

    /** Adds a call that waits for the next signal. */
    void add(BlockingCall c) {
        if (size == calls.length) {
            calls = Arrays.copyOf(calls, size * 2);
        }
        calls[size++] = c;
    }

    /** True if no call waits. */
    boolean isEmpty() {
        return size == 0;
    }

    /** Gives every waiting call an attempt; {@code attempt} returns true for a call that is finished. */
    void retry(Predicate<BlockingCall> attempt) {
        if (retrying) {
            again = true;
            return;
        }
        retrying = true;
        try {
            do {
                again = false;
                int kept = 0;
                for (int i = 0; i < size; i++) {
                    BlockingCall c = calls[i];
                    if (!attempt.test(c)) {
                        calls[kept++] = c;
                    }
                }
                Arrays.fill(calls, kept, size, null);
                size = kept;
            } while (again && size > 0);
        } finally {
            retrying = false;
        }
    }
}
