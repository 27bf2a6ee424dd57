package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tcp4j.core.wire.Checksum;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The send buffer against a plain byte array: after any sequence of writes, acknowledgements
 * (removes) and copies of random ranges, into heap or direct buffers, with and without the
 * checksum sum, every copy carries the model's bytes, and its sum (including parts that start at
 * an odd position, where chunks meet) equals the sum of those bytes computed in one piece.
 */
class SendBufferProperties {

    /** One step: 0 = write n bytes, 1 = remove n bytes, 2 = copy a range picked by n. */
    record Step(int kind, int n, boolean direct, boolean sum) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 70_000), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 300)
    void copiesCarryTheBytesAndTheirSum(@ForAll("steps") List<Step> steps, @ForAll("capacities") int capacity) {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        SendBuffer sb = new SendBuffer(capacity, alloc);
        byte[] model = new byte[0];
        int next = 0;
        try {
            for (Step s : steps) {
                switch (s.kind()) {
                    case 0 -> {
                        ByteBuf src = Unpooled.buffer(s.n());
                        for (int i = 0; i < s.n(); i++) {
                            src.writeByte((next + i) * 31 + 7);
                        }
                        int taken = sb.write(src);
                        byte[] grown = new byte[model.length + taken];
                        System.arraycopy(model, 0, grown, 0, model.length);
                        src.getBytes(0, grown, model.length, taken);
                        model = grown;
                        next += taken;
                        src.release();
                    }
                    case 1 -> {
                        int n = model.length == 0 ? 0 : s.n() % (model.length + 1);
                        sb.remove(n);
                        byte[] shrunk = new byte[model.length - n];
                        System.arraycopy(model, n, shrunk, 0, shrunk.length);
                        model = shrunk;
                    }
                    default -> {
                        if (model.length == 0) {
                            continue;
                        }
                        int offset = s.n() % model.length;
                        int length = (s.n() * 7919) % (model.length - offset + 1);
                        ByteBuf out = s.direct() ? alloc.directBuffer(length + 3) : alloc.heapBuffer(length + 3);
                        try {
                            long sum = sb.copyTo(offset, length, out, 3, s.sum());
                            byte[] got = new byte[length];
                            out.getBytes(3, got);
                            for (int i = 0; i < length; i++) {
                                assertEquals(model[offset + i], got[i], "byte " + i + " of " + offset + "+" + length);
                            }
                            if (s.sum()) {
                                assertEquals(Checksum.fold(Checksum.add(0, Unpooled.wrappedBuffer(model, offset, length), 0, length)),
                                        Checksum.fold(sum), "sum of " + offset + "+" + length);
                            }
                        } finally {
                            out.release();
                        }
                    }
                }
                assertEquals(model.length, sb.size());
            }
        } finally {
            sb.release();
        }
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.of(1000, 64 * 1024, 300_000, 4 << 20);
    }
}
