package io.github.tcp4j.bench;

import io.github.tcp4j.core.wire.Checksum;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Internet checksum over one 64 KB segment (the largest TCP segment), in a heap and in a
 * direct pooled buffer: tcp4j's {@link Checksum} against the plain way, {@code ByteBuf.getLong}
 * eight bytes at a time with each long split into its four 16-bit words (tcp4j's own code before
 * this benchmark existed), as the baseline of the same run. One operation = one segment; the
 * score is in operations per second (multiply by 65,535 for bytes per second).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class ChecksumBenchmarks {

    /** Bytes summed per operation: the largest segment. */
    public static final int LENGTH = 65_535;

    /** Where the segment lives. */
    @Param({"heap", "direct"})
    public String buffer;

    private ByteBuf segment;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] data = new byte[LENGTH];
        new SplittableRandom(7).nextBytes(data);
        segment = buffer.equals("heap") ? PooledByteBufAllocator.DEFAULT.heapBuffer(LENGTH)
                : PooledByteBufAllocator.DEFAULT.directBuffer(LENGTH);
        segment.writeBytes(data);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        segment.release();
    }

    /** tcp4j's checksum. */
    @Benchmark
    public int tcp4j() {
        return Checksum.fold(Checksum.add(0, segment, 0, LENGTH));
    }

    /** The baseline: ByteBuf.getLong, four 16-bit words per long. */
    @Benchmark
    public int byteBufGetLong() {
        long sum = 0;
        int i = 0;
        while (LENGTH - i >= 8) {
            long v = segment.getLong(i);
            sum += (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
            i += 8;
        }
        while (LENGTH - i >= 2) {
            sum += segment.getUnsignedShort(i);
            i += 2;
        }
        if (i < LENGTH) {
            sum += segment.getUnsignedByte(i) << 8;
        }
        return Checksum.fold(sum);
    }
}
