package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.api.FaultInjectingPacketChannel.Faults;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seeded loss, duplication and reordering, each direction on its own, and holding writes back. */
class FaultInjectingPacketChannelTest {

    @Test
    void theSameSeedLosesTheSamePackets() throws IOException {
        Faults faults = new Faults(0.1, 0.05, 0.05);
        assertEquals(written(42, faults, 2000), written(42, faults, 2000));
        assertTrue(!written(42, faults, 2000).equals(written(43, faults, 2000)), "another seed, other faults");
    }

    @Test
    void lossDropsAboutTheAskedShare() throws IOException {
        PacketPipe pipe = new PacketPipe();
        FaultInjectingPacketChannel f = new FaultInjectingPacketChannel(pipe.a, 1, Faults.NONE, Faults.loss(0.1));
        for (int i = 0; i < 10_000; i++) {
            f.write(packet(i));
        }
        long arrived = drain(pipe.b).size();
        assertEquals(10_000, arrived + f.droppedOutbound());
        assertTrue(f.droppedOutbound() > 850 && f.droppedOutbound() < 1150, "about 10%: " + f);
        f.close();
        pipe.b.close();
    }

    @Test
    void reorderingLetsTheNextPacketOvertake() throws IOException {
        PacketPipe pipe = new PacketPipe();
        FaultInjectingPacketChannel f = new FaultInjectingPacketChannel(pipe.a, 1, Faults.NONE, new Faults(0, 0, 1));
        for (int i = 0; i < 6; i++) {
            f.write(packet(i));
        }
        assertEquals(List.of(1, 0, 3, 2, 5, 4), drain(pipe.b));
        assertEquals(3, f.reorderedOutbound());
        f.close();
        pipe.b.close();
    }

    @Test
    void duplicationDeliversACopy() throws IOException {
        PacketPipe pipe = new PacketPipe();
        FaultInjectingPacketChannel f = new FaultInjectingPacketChannel(pipe.a, 1, Faults.NONE, new Faults(0, 1, 0));
        f.write(packet(7));
        assertEquals(List.of(7, 7), drain(pipe.b));
        f.close();
        pipe.b.close();
    }

    @Test
    void inboundFaultsApplyToWhatIsRead() throws IOException {
        PacketPipe pipe = new PacketPipe();
        FaultInjectingPacketChannel f = new FaultInjectingPacketChannel(pipe.a, 1, new Faults(0, 0, 1), Faults.NONE);
        for (int i = 0; i < 4; i++) {
            pipe.b.write(packet(i));
        }
        List<Integer> read = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ByteBuf p = f.read();
            read.add(p.getInt(0));
            p.release();
        }
        assertEquals(List.of(1, 0, 3, 2), read);
        assertEquals(2, f.reorderedInbound());
        pipe.b.write(packet(9)); // held back (reorder 1), then the channel closes: read returns null, nothing leaks
        pipe.a.close();
        assertNull(f.read());
        f.close();
    }

    @Test
    void holdingWritesKeepsThemInOrderUntilReleased() throws IOException {
        PacketPipe pipe = new PacketPipe();
        FaultInjectingPacketChannel f = new FaultInjectingPacketChannel(pipe.a, 1, Faults.NONE, Faults.NONE);
        f.holdOutbound();
        f.write(packet(1));
        f.write(packet(2));
        assertEquals(2, f.heldOutbound());
        assertEquals(List.of(), drain(pipe.b));
        f.releaseOutbound();
        f.write(packet(3));
        assertEquals(List.of(1, 2, 3), drain(pipe.b));
        f.holdOutbound();
        f.write(packet(4));
        f.close(); // releases what it held
        pipe.b.close();
    }

    @Test
    void probabilitiesOutsideZeroToOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Faults(1.5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Faults(0, -0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Faults(0, 0, Double.NaN));
    }

    /** The packet numbers that came out, in order, for {@code n} packets written through faults seeded {@code seed}. */
    private static List<Integer> written(long seed, Faults faults, int n) throws IOException {
        PacketPipe pipe = new PacketPipe();
        FaultInjectingPacketChannel f = new FaultInjectingPacketChannel(pipe.a, seed, Faults.NONE, faults);
        for (int i = 0; i < n; i++) {
            f.write(packet(i));
        }
        List<Integer> out = drain(pipe.b);
        f.close();
        pipe.b.close();
        return out;
    }

    private static ByteBuf packet(int number) {
        return Unpooled.buffer(4).writeInt(number);
    }

    private static List<Integer> drain(PacketPipe.End end) {
        List<Integer> numbers = new ArrayList<>();
        ByteBuf p;
        while ((p = end.poll()) != null) {
            numbers.add(p.getInt(p.readerIndex()));
            p.release();
        }
        return numbers;
    }
}
