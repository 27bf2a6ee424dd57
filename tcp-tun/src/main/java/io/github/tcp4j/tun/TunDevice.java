package io.github.tcp4j.tun;

import io.github.tcp4j.api.PacketChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Linux TUN interface as a {@link PacketChannel}: every IPv4 (or IPv6) packet the kernel routes
 * to the interface can be {@link #read()}, and every packet {@link #write written} enters the
 * kernel's IP stack as if it had arrived on that interface. Put an
 * {@link io.github.tcp4j.api.Ipv4PacketTransport} on top and a tcp4j stack talks TCP to the
 * kernel.
 *
 * <pre>{@code
 * // as root, once:  ip tuntap add dev tcp4j0 mode tun user $USER
 * //                 ip addr add 10.77.0.1/24 dev tcp4j0 && ip link set tcp4j0 up
 * TunDevice tun = TunDevice.open("tcp4j0");
 * TcpStack stack = TcpStack.builder().address("10.77.0.2")
 *         .transport(new Ipv4PacketTransport(tun, IpAddress.parse("10.77.0.2"))).build();
 * // now `curl http://10.77.0.2/` from the shell reaches the stack
 * }</pre>
 *
 * <h2>How</h2>
 * {@link #open(String)} opens {@code /dev/net/tun} and attaches the file to the interface with the
 * {@code TUNSETIFF} ioctl, flags {@code IFF_TUN | IFF_NO_PI} (raw IP packets, no packet-information
 * prefix): an existing (persistent) interface of that name is attached, otherwise a new one is
 * created that lives as long as this channel. The calls go through {@code java.lang.foreign}
 * ({@link LinuxCalls}): no JNI, no native library. Creating an interface needs CAP_NET_ADMIN;
 * attaching a persistent one made with {@code ip tuntap add ... user U} only needs to be U.
 * Addresses, MTU and "up" are the interface's, set with {@code ip} as for any interface.
 *
 * <h2>Threads</h2>
 * The descriptor is non-blocking. {@link #tryRead()} is one {@code read(2)}; {@link #read()} reads
 * until the kernel has a packet, and while it has none waits in {@code poll(2)} on the descriptor and on an eventfd that {@link #close()} signals, so
 * closing wakes a blocked reader. Writes may come from any thread; each is one {@code write(2)} of
 * one whole packet. A packet the kernel cannot take (its queue is full) fails with an
 * {@link IOException} and is counted in {@link #writeFailures()}.
 *
 * <h2>Buffers</h2>
 * As {@link PacketChannel} says: {@link #read()} returns a buffer of exactly the packet, from the
 * given allocator, which the caller releases; {@link #write} releases what it is given. A direct
 * buffer is written in place; a heap buffer is copied to native memory first.
 *
 * <p>Needs JDK 22+ (the final {@code java.lang.foreign}) and, to silence the JDK's warning about
 * native access, {@code --enable-native-access=io.github.tcp4j.tun} (or {@code ALL-UNNAMED} on the
 * class path).
 */
public final class TunDevice implements PacketChannel {

    /** The largest packet a TUN interface carries (its MTU can be at most 65,535). */
    public static final int MAX_PACKET = 65_535;
    private static final int CLOSED_BIT = Integer.MIN_VALUE;

    private final String name;
    private final int fd;
    private final int wakeFd;
    private final ByteBufAllocator alloc;
    /** The reader's buffer: a packet is read here, then copied into a buffer of its size. */
    private final MemorySegment readScratch;
    private final ByteBuffer readScratchView;
    private final MemorySegment pollFds;
    private final MemorySegment wakeValue;
    /** Count of calls using the descriptors; the closed bit set once close() began. */
    private final AtomicInteger uses = new AtomicInteger();
    private static final ThreadLocal<MemorySegment> WRITE_SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(MAX_PACKET, 64));

    private final AtomicLong packetsRead = new AtomicLong();
    private final AtomicLong packetsWritten = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();

    private TunDevice(String name, int fd, int wakeFd, ByteBufAllocator alloc) {
        this.name = name;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.alloc = alloc;
        Arena arena = Arena.ofAuto();
        this.readScratch = arena.allocate(MAX_PACKET, 64);
        this.readScratchView = readScratch.asByteBuffer();
        this.pollFds = arena.allocate(LinuxCalls.POLLFD, 2);
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, LinuxCalls.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, LinuxCalls.POLLIN);
        this.wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /**
     * Attaches to the TUN interface {@code name} in this process's network namespace, creating it
     * if it does not exist, with Netty's default allocator.
     *
     * @param name the interface name, at most 15 bytes; a {@code %d} in it lets the kernel pick a
     *     number ({@code "tun%d"}); {@link #name()} tells the name given
     * @throws IOException if {@code /dev/net/tun} cannot be opened or the ioctl fails (no such
     *     device support, no permission, the name is taken by another kind of interface)
     */
    public static TunDevice open(String name) throws IOException {
        return open(name, ByteBufAllocator.DEFAULT);
    }

    /** As {@link #open(String)}, with the allocator for the packets {@link #read()} returns. */
    public static TunDevice open(String name, ByteBufAllocator alloc) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(alloc, "alloc");
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= LinuxCalls.IFNAMSIZ) {
            throw new IllegalArgumentException("an interface name has 1 to 15 characters: '" + name + "'");
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = LinuxCalls.open(arena.allocateFrom("/dev/net/tun"),
                    LinuxCalls.O_RDWR | LinuxCalls.O_NONBLOCK | LinuxCalls.O_CLOEXEC);
            if (fd < 0) {
                throw LinuxCalls.failure("open(/dev/net/tun)");
            }
            MemorySegment ifreq = arena.allocate(LinuxCalls.IFREQ);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, LinuxCalls.IFNAMSIZ, (short) (LinuxCalls.IFF_TUN | LinuxCalls.IFF_NO_PI));
            if (LinuxCalls.ioctl(fd, LinuxCalls.TUNSETIFF, ifreq) < 0) {
                IOException e = LinuxCalls.failure("ioctl(TUNSETIFF, " + name + ")");
                LinuxCalls.close(fd);
                throw e;
            }
            String given = ifreq.getString(0, StandardCharsets.US_ASCII);
            int wakeFd = LinuxCalls.eventfd(0, LinuxCalls.EFD_NONBLOCK | LinuxCalls.EFD_CLOEXEC);
            if (wakeFd < 0) {
                IOException e = LinuxCalls.failure("eventfd");
                LinuxCalls.close(fd);
                throw e;
            }
            return new TunDevice(given, fd, wakeFd, alloc);
        }
    }

    /**
     * Attaches to (or creates) the TUN interface {@code name} inside the network namespace
     * {@code namespace} (a file such as {@code /var/run/netns/NAME}, as {@code ip netns add} makes,
     * or {@code /proc/PID/ns/net}), while the rest of the process stays where it is.
     *
     * <p>A TUN interface belongs to the namespace of the thread that opened {@code /dev/net/tun}.
     * This method opens it on a short-lived thread of its own that first moves into
     * {@code namespace} with {@code setns(2)}; the descriptor keeps the interface there, and any
     * thread can read and write it afterwards. Needs CAP_SYS_ADMIN (root).
     */
    public static TunDevice open(String name, Path namespace) throws IOException {
        return open(name, namespace, ByteBufAllocator.DEFAULT);
    }

    /** As {@link #open(String, Path)}, with the allocator for the packets {@link #read()} returns. */
    public static TunDevice open(String name, Path namespace, ByteBufAllocator alloc) throws IOException {
        Objects.requireNonNull(namespace, "namespace");
        TunDevice[] result = new TunDevice[1];
        Exception[] failure = new Exception[1];
        Thread opener = new Thread(() -> {
            try (Arena arena = Arena.ofConfined()) {
                int nsFd = LinuxCalls.open(arena.allocateFrom(namespace.toString()), LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC);
                if (nsFd < 0) {
                    throw LinuxCalls.failure("open(" + namespace + ")");
                }
                try {
                    if (LinuxCalls.setns(nsFd, LinuxCalls.CLONE_NEWNET) < 0) {
                        throw LinuxCalls.failure("setns(" + namespace + ")");
                    }
                } finally {
                    LinuxCalls.close(nsFd);
                }
                result[0] = open(name, alloc);
            } catch (IOException | RuntimeException e) {
                failure[0] = e;
            }
        }, "tcp4j-tun-open-" + name);
        opener.start(); // the thread dies after the open, taking its namespace with it
        try {
            opener.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening " + name);
        }
        if (failure[0] instanceof IOException io) {
            throw io;
        }
        if (failure[0] instanceof RuntimeException r) {
            throw r;
        }
        if (result[0] == null) {
            throw new IOException("opening " + name + " in " + namespace + " failed");
        }
        return result[0];
    }

    /** The interface's name, as the kernel gave it. */
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public ByteBuf read() throws IOException {
        if (!acquire()) {
            return null;
        }
        try {
            while (true) {
                ByteBuf packet = readNow();
                if (packet != null) {
                    return packet;
                }
                if (!awaitReadable()) {
                    return null; // closed
                }
            }
        } finally {
            release();
        }
    }

    /** A packet if the kernel has one queued for the interface, else null; never waits. */
    @Override
    public ByteBuf tryRead() throws IOException {
        if (!acquire()) {
            return null;
        }
        try {
            return closing() ? null : readNow();
        } finally {
            release();
        }
    }

    /** One non-blocking read(2): the packet, or null when none is queued (EAGAIN). */
    private ByteBuf readNow() throws IOException {
        while (true) {
            long n = LinuxCalls.read(fd, readScratch, MAX_PACKET);
            if (n > 0) {
                int length = (int) n;
                ByteBuf packet = alloc.ioBuffer(length);
                packet.writeBytes(readScratchView.duplicate().limit(length));
                packetsRead.incrementAndGet();
                return packet;
            }
            if (n == 0) {
                continue; // a zero-length read carries no packet
            }
            int errno = LinuxCalls.errno();
            if (errno == LinuxCalls.EAGAIN) {
                return null;
            }
            if (errno != LinuxCalls.EINTR) {
                if (closing()) {
                    return null;
                }
                throw LinuxCalls.failure("read(" + name + ")");
            }
        }
    }

    /** Waits until the interface has a packet (true) or close() signalled (false). */
    private boolean awaitReadable() throws IOException {
        while (true) {
            if (closing()) {
                return false;
            }
            pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            pollFds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
            int ready = LinuxCalls.poll(pollFds, 2, -1);
            if (ready < 0) {
                if (LinuxCalls.errno() == LinuxCalls.EINTR) {
                    continue;
                }
                throw LinuxCalls.failure("poll(" + name + ")");
            }
            if (closing() || pollFds.get(ValueLayout.JAVA_SHORT, 14) != 0) {
                return false;
            }
            short revents = pollFds.get(ValueLayout.JAVA_SHORT, 6);
            if ((revents & (LinuxCalls.POLLERR | LinuxCalls.POLLHUP | LinuxCalls.POLLNVAL)) != 0
                    && (revents & LinuxCalls.POLLIN) == 0) {
                throw new IOException("poll(" + name + ") reported the interface failed (revents 0x"
                        + Integer.toHexString(revents & 0xFFFF) + ")");
            }
            if ((revents & LinuxCalls.POLLIN) != 0) {
                return true;
            }
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void write(ByteBuf packet) throws IOException {
        try {
            if (!acquire()) {
                return; // closed: dropped
            }
            try {
                int length = packet.readableBytes();
                if (length > MAX_PACKET) {
                    writeFailures.incrementAndGet();
                    throw new IOException("a packet of " + length + " bytes is beyond a TUN interface's " + MAX_PACKET);
                }
                MemorySegment source = nativeView(packet, length);
                long n = LinuxCalls.write(fd, source, length);
                if (n < 0) {
                    writeFailures.incrementAndGet();
                    throw LinuxCalls.failure("write(" + name + ")");
                }
                packetsWritten.incrementAndGet();
            } finally {
                release();
            }
        } finally {
            packet.release();
        }
    }

    /** The packet's readable bytes in native memory: in place for a direct buffer, else a copy in this thread's scratch. */
    private static MemorySegment nativeView(ByteBuf packet, int length) {
        if (packet.nioBufferCount() == 1) {
            ByteBuffer nio = packet.nioBuffer(packet.readerIndex(), length);
            if (nio.isDirect()) {
                return MemorySegment.ofBuffer(nio);
            }
        }
        MemorySegment scratch = WRITE_SCRATCH.get();
        ByteBuffer view = scratch.asByteBuffer();
        packet.getBytes(packet.readerIndex(), view.limit(length));
        return scratch;
    }

    // ------------------------------------------------------------------ closing

    private boolean acquire() {
        while (true) {
            int state = uses.get();
            if (state < 0) {
                return false;
            }
            if (uses.compareAndSet(state, state + 1)) {
                return true;
            }
        }
    }

    private void release() {
        if (uses.decrementAndGet() == CLOSED_BIT) {
            closeDescriptors(); // the last user after close()
        }
    }

    private boolean closing() {
        return uses.get() < 0;
    }

    /**
     * Closes the channel: a reader blocked in {@link #read()} returns {@code null}, writes are
     * dropped, and the descriptors are closed once no call uses them (a non-persistent interface
     * disappears then; a persistent one stays, without carrier). Idempotent.
     */
    @Override
    public void close() {
        if (!acquire()) {
            return; // already closed
        }
        try {
            while (true) {
                int state = uses.get();
                if (uses.compareAndSet(state, state | CLOSED_BIT)) {
                    break;
                }
            }
            LinuxCalls.write(wakeFd, wakeValue, Long.BYTES); // wakes a reader in poll()
        } finally {
            release();
        }
    }

    private void closeDescriptors() {
        LinuxCalls.close(fd);
        LinuxCalls.close(wakeFd);
    }

    // ------------------------------------------------------------------ counters

    /** Packets read from the interface. */
    public long packetsRead() {
        return packetsRead.get();
    }

    /** Packets written to the interface. */
    public long packetsWritten() {
        return packetsWritten.get();
    }

    /** Writes the kernel refused (the packet was lost). */
    public long writeFailures() {
        return writeFailures.get();
    }

    @Override
    public String toString() {
        return "TunDevice " + name + " (read " + packetsRead + ", written " + packetsWritten + ", write failures "
                + writeFailures + ")";
    }
}
