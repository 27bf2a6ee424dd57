package io.github.tcp4j.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.api.Ipv4PacketTransport;
import io.github.tcp4j.api.PacketChannelProvider;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.Ipv4Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TUN channel itself: names, the ServiceLoader registration, and (as root, in a namespace of
 * its own) reading what the kernel routes to the interface, ping through the IPv4 layer, and
 * closing under a blocked reader.
 */
@Timeout(60)
class TunDeviceTest {

    private static KernelSide kernel;

    private static KernelSide kernel() throws java.io.IOException {
        String why = KernelSide.unavailableReason();
        if (why != null) {
            System.out.println("[tcp4j tun] SKIPPED: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        if (kernel == null) {
            kernel = KernelSide.create("device");
        }
        return kernel;
    }

    @AfterAll
    static void deleteNamespace() {
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void interfaceNamesHaveOneToFifteenCharacters() {
        assertThrows(IllegalArgumentException.class, () -> TunDevice.open(""));
        assertThrows(IllegalArgumentException.class, () -> TunDevice.open("sixteen-letters!"));
    }

    @Test
    void theTunSchemeIsRegisteredWithServiceLoader() {
        boolean found = ServiceLoader.load(PacketChannelProvider.class).stream()
                .anyMatch(p -> p.get().scheme().equals("tun") && p.type() == TunChannelProvider.class);
        assertTrue(found, "META-INF/services names TunChannelProvider");
    }

    @Test
    void readsThePacketsTheKernelRoutesToTheInterface() throws Exception {
        KernelSide k = kernel();
        KernelSide.assumeTool("ping");
        try (TunDevice tun = k.attach()) {
            assertEquals(KernelSide.DEVICE, tun.name());
            KernelSide.Result[] ping = new KernelSide.Result[1];
            Thread pinger = new Thread(() -> {
                try {
                    ping[0] = k.run(Duration.ofSeconds(10), "ping", "-c", "1", "-W", "1", KernelSide.STACK_ADDRESS);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            pinger.start();
            Ipv4Header ip = null;
            while (ip == null || ip.protocol() != 1) { // skip whatever else the kernel sends (IPv6 router solicitations)
                ByteBuf packet = tun.read();
                try {
                    if (packet.getUnsignedByte(0) >>> 4 == 4) {
                        ip = Ipv4Header.decode(packet);
                    }
                } finally {
                    packet.release();
                }
            }
            assertEquals(IpAddress.parse(KernelSide.KERNEL_ADDRESS), ip.source());
            assertEquals(IpAddress.parse(KernelSide.STACK_ADDRESS), ip.destination());
            pinger.join();
            assertEquals(1, ping[0].exit(), "nobody answered the ping: " + ping[0].output());
            assertTrue(tun.packetsRead() >= 1);
        }
    }

    @Test
    void pingIsAnsweredThroughTheIpv4Layer() throws Exception {
        KernelSide k = kernel();
        KernelSide.assumeTool("ping");
        Ipv4PacketTransport transport = new Ipv4PacketTransport(k.attach(), IpAddress.parse(KernelSide.STACK_ADDRESS));
        try (TcpStack stack = TcpStack.builder().address(KernelSide.STACK_ADDRESS).transport(transport).build()) {
            KernelSide.Result ping = k.run(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2",
                    KernelSide.STACK_ADDRESS);
            assertEquals(0, ping.exit(), ping.output());
            assertTrue(ping.output().contains("3 received"), ping.output());
            assertEquals(3, transport.echoReplies());
        }
    }

    @Test
    void closingWakesABlockedReaderAndDropsLaterWrites() throws Exception {
        KernelSide k = kernel();
        TunDevice tun = k.attach();
        CompletableFuture<Boolean> endedWithNull = CompletableFuture.supplyAsync(() -> {
            try {
                ByteBuf p;
                while ((p = tun.read()) != null) {
                    p.release(); // the kernel's own chatter, if any
                }
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertFalse(endedWithNull.isDone(), "the reader waits for packets");
        tun.close();
        assertTrue(endedWithNull.get(5, TimeUnit.SECONDS), "read() returned null after close()");
        assertNull(tun.read());
        ByteBuf late = Unpooled.buffer().writeZero(20);
        tun.write(late);
        assertEquals(0, late.refCnt(), "a write after close is released");
        tun.close(); // idempotent
    }
}
