package io.github.tcp4j.api;

import io.github.tcp4j.core.conn.TcpException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread's blocking read or write on a {@link TcpSocket}, carried out on the stack (by
 * whichever thread runs the stack's core at the moment: often the caller itself, see
 * {@link EventLoopDriver}). The calling thread fills it in and hands it to the driver, which
 * attempts it at once and again at every readable (writable) signal until it completes, then
 * unparks the caller if another thread completed it. A socket keeps one for reads and one for writes and reuses them, so a blocking bulk
 * read or write allocates nothing per call (a second thread reading the same socket at the same
 * time gets a fresh one).
 *
 * <h2>States</h2>
 * {@code FREE} (reusable) -> {@code WAITING} (the caller handed it over) -> {@code RUNNING} (the
 * stack is working on it, touching the caller's buffer) -> back to {@code WAITING} (no
 * data or room yet) or {@code DONE} (result or failure set; the caller reads it and frees the
 * call). A caller whose timeout passes, or who is interrupted, moves it from {@code WAITING} to
 * {@code CANCELLED}, which the stack turns into {@code FREE} when it next meets the call: the
 * caller's buffer is never touched after the caller gave up, and a call is never reused while the
 * stack still holds it. The state is one atomic field; everything else is written by
 * one side before a state change and read by the other after it.
 */
final class BlockingCall implements Runnable {

    static final int FREE = 0;
    static final int WAITING = 1;
    static final int RUNNING = 2;
    static final int DONE = 3;
    static final int CANCELLED = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BlockingCall.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TcpSocket socket;
    /** A write (else a read). */
    final boolean write;
    private volatile int state;
    private Thread caller;

    // The operation, set by the caller before handing the call over.
    /** The caller's NIO buffer, or null when {@link #buf} is the caller's own ByteBuf. */
    ByteBuffer nio;
    /** What the core reads from or writes into: a view of {@link #nio}, or the caller's ByteBuf. */
    ByteBuf buf;

    // The outcome, set on the stack before DONE.
    /** Bytes read (or -1 at the end of the stream); unused for writes. */
    int result;
    /** The failure, if the call failed. */
    TcpException failure;

    // A view of the last NIO buffer, reused while the caller passes the same region again (so the
    // call keeps a reference to that buffer until a call with another one).
    private ByteBuffer viewOf;
    private int viewPosition;
    private int viewLimit;
    private ByteBuf view;

    BlockingCall(TcpSocket socket, boolean write) {
        this.socket = socket;
        this.write = write;
    }

    // ------------------------------------------------------------------ the caller's side

    /** {@code reusable} if it is free (it is then the caller's), else a fresh call. */
    static BlockingCall acquire(BlockingCall reusable) {
        if (STATE.compareAndSet(reusable, FREE, WAITING)) {
            return reusable;
        }
        BlockingCall fresh = new BlockingCall(reusable.socket, reusable.write);
        fresh.state = WAITING;
        return fresh;
    }

    /** Prepares a call on the caller's NIO buffer (its remaining bytes or room). */
    void prepare(ByteBuffer b) {
        caller = Thread.currentThread();
        result = 0;
        failure = null;
        nio = b;
        if (b != viewOf || b.position() != viewPosition || b.limit() != viewLimit) {
            view = Unpooled.wrappedBuffer(b); // covers position..limit; the wrapped bytes are b's own
            viewOf = b;
            viewPosition = b.position();
            viewLimit = b.limit();
        }
        view.setIndex(0, write ? b.remaining() : 0);
        buf = view;
    }

    /** Prepares a call on the caller's ByteBuf (its readable bytes or writable room). */
    void prepare(ByteBuf b) {
        caller = Thread.currentThread();
        result = 0;
        failure = null;
        nio = null;
        buf = b;
    }

    /** True once the stack has finished the call. */
    boolean isDone() {
        return state == DONE;
    }

    /**
     * Gives up waiting: true if the call was still waiting (the stack will not touch it
     * again, and frees it); false if it had finished meanwhile (the caller takes the outcome).
     */
    boolean cancel() {
        while (true) {
            if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
                return true;
            }
            if (state == DONE) {
                return false;
            }
            Thread.onSpinWait(); // RUNNING: the thread running the stack finishes its attempt in a moment
        }
    }

    /** The caller has read the outcome: the call may be reused. */
    void release() {
        nio = null;
        buf = null;
        caller = null;
        failure = null;
        state = FREE;
    }

    // ------------------------------------------------------------------ the stack's side

    /** On the stack: the first attempt. */
    @Override
    public void run() {
        socket.firstAttempt(this);
    }

    /**
     * On the stack, before touching the call: true if it may go on (now RUNNING); false
     * if the caller gave up (the call is then freed and must be forgotten).
     */
    boolean claim() {
        if (STATE.compareAndSet(this, WAITING, RUNNING)) {
            return true;
        }
        if (state == CANCELLED) {
            nio = null;
            buf = null;
            caller = null;
            state = FREE;
        }
        return false;
    }

    /** On the stack: not yet; wait for the next signal. */
    void keepWaiting() {
        state = WAITING;
    }

    /** On the stack: done (outcome set); wakes the caller. */
    void finish() {
        Thread t = caller;
        state = DONE;
        if (t != Thread.currentThread()) {
            LockSupport.unpark(t); // a caller that finished its own call inline is not parked
        }
    }
}
