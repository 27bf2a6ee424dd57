package io.github.tcp4j.api;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * Two {@link PacketChannel}s joined back to back in memory: what one end writes, the other reads,
 * in order, losslessly. For tests of what sits on top of a packet channel.
 */
final class PacketPipe {

    final End a = new End("a");
    final End b = new End("b");

    PacketPipe() {
        a.peer = b;
        b.peer = a;
    }

    /** One end. */
    static final class End implements PacketChannel {
        private final String name;
        private final ArrayDeque<ByteBuf> inbox = new ArrayDeque<>();
        private End peer;
        private boolean closed;

        End(String name) {
            this.name = name;
        }

        @Override
        public ByteBuf read() throws java.io.IOException {
            synchronized (this) {
                while (inbox.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException();
                    }
                }
                return closed ? null : inbox.poll();
            }
        }

        /** The next packet if one is waiting, else null (does not block). */
        synchronized ByteBuf poll() {
            return inbox.poll();
        }

        @Override
        public ByteBuf tryRead() {
            return poll();
        }

        @Override
        public void write(ByteBuf packet) {
            peer.deliver(packet);
        }

        private synchronized void deliver(ByteBuf packet) {
            if (closed) {
                packet.release();
                return;
            }
            inbox.add(packet);
            notifyAll();
        }

        @Override
        public synchronized void close() {
            closed = true;
            inbox.forEach(ByteBuf::release);
            inbox.clear();
            notifyAll();
        }

        @Override
        public String toString() {
            return "pipe end " + name;
        }
    }
}
