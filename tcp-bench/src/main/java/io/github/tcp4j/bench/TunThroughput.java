package io.github.tcp4j.bench;

import io.github.tcp4j.api.Ipv4PacketTransport;
import io.github.tcp4j.api.PacketChannel;
import io.github.tcp4j.api.PacketChannels;
import io.github.tcp4j.api.TcpServerSocket;
import io.github.tcp4j.api.TcpSocket;
import io.github.tcp4j.api.TcpStack;
import io.github.tcp4j.core.conn.TcpConfig;
import io.github.tcp4j.core.wire.IpAddress;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Bulk TCP throughput against the Linux kernel, run by {@code tcp-bench/run-tun.sh} (not by CI):
 * a tcp4j stack behind a TUN interface with a kernel socket as its peer, and, for comparison in
 * the same run, two kernel sockets in two network namespaces joined by a veth pair.
 *
 * <p>A client connects, says what it wants (one byte and a length), and the server does it:
 * {@code 'S'}: the client sends LENGTH bytes and the server answers one byte after their end;
 * {@code 'R'}: the server sends LENGTH bytes and closes. Senders write one 64 KiB array over and
 * over, receivers read into one and count, so the figures are the TCP paths', not data
 * generation's. Times run from connect until the receiving side has everything.
 *
 * <pre>
 * tcp4j CHANNEL STACK_ADDR KERNEL_ADDR BYTES ROUNDS [MTU]   a tcp4j server on CHANNEL (e.g. tun:tcp4j0) at
 *                                                       STACK_ADDR; this JVM's kernel sockets measure it
 * serve ADDR PORT                                       a kernel server (for the veth baseline)
 * measure ADDR PORT BYTES ROUNDS                        a kernel client measuring a server
 * </pre>
 */
public final class TunThroughput {

    private static final int CHUNK = 64 * 1024;
    private static final int PORT = 5201;

    private TunThroughput() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "tcp4j" -> tcp4j(args[1], args[2], args[3], Long.parseLong(args[4]), Integer.parseInt(args[5]),
                    args.length > 6 ? Integer.parseInt(args[6]) : 1500);
            case "serve" -> serveKernel(args[1], Integer.parseInt(args[2]));
            case "measure" -> measure(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]),
                    "kernel");
            default -> {
                System.err.println("usage: tcp4j CHANNEL STACK_ADDR KERNEL_ADDR BYTES ROUNDS [MTU] | serve ADDR PORT"
                        + " | measure ADDR PORT BYTES ROUNDS");
                System.exit(2);
            }
        }
    }

    /** A tcp4j server on the channel, measured from this JVM's kernel sockets. */
    private static void tcp4j(String channelSpec, String stackAddress, String kernelAddress, long bytes, int rounds, int mtu)
            throws Exception {
        // -Dtcp4j.bench.heap=true: heap buffers (on JDK 24+ Netty reaches direct memory without Unsafe, through checks)
        ByteBufAllocator alloc = Boolean.getBoolean("tcp4j.bench.heap") ? new AdaptiveByteBufAllocator(false)
                : ByteBufAllocator.DEFAULT;
        PacketChannel channel = PacketChannels.open(channelSpec, alloc);
        int buffer = Integer.getInteger("tcp4j.bench.buffer", TcpConfig.defaults().receiveBufferSize());
        TcpConfig config = TcpConfig.builder().mtu(mtu).sendBufferSize(buffer).receiveBufferSize(buffer).build();
        try (TcpStack stack = TcpStack.builder().name("bench").address(stackAddress).config(config).allocator(alloc)
                .transport(new Ipv4PacketTransport(channel, alloc, List.of(IpAddress.parse(stackAddress)))).build();
                TcpServerSocket listener = stack.listen(PORT)) {
            Thread server = new Thread(() -> {
                while (true) {
                    try (TcpSocket s = listener.accept()) {
                        serve(s.getInputStream(), s.getOutputStream());
                    } catch (IOException e) {
                        return; // the listener closed
                    }
                }
            }, "tcp4j-server");
            server.setDaemon(true);
            server.start();
            measure(stackAddress, PORT, bytes, rounds, "tcp4j");
            System.out.println("# " + stack.stats());
        }
    }

    /** A kernel server, one connection after the other. */
    private static void serveKernel(String address, int port) throws IOException {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(address, port));
            System.out.println("listening on " + address + ":" + port);
            while (true) {
                try (Socket s = listener.accept()) {
                    serve(s.getInputStream(), s.getOutputStream());
                }
            }
        }
    }

    /** Does what the client asks: sink its bytes and answer, or send it bytes. */
    private static void serve(InputStream in, OutputStream out) throws IOException {
        DataInputStream request = new DataInputStream(in);
        int what = request.read();
        if (what < 0) {
            return;
        }
        long length = request.readLong();
        byte[] chunk = new byte[CHUNK];
        if (what == 'S') {
            long got = 0;
            int n;
            while ((n = in.read(chunk)) >= 0) {
                got += n;
            }
            out.write(got == length ? 1 : 0);
        } else {
            send(out, length, chunk);
        }
        out.flush();
    }

    private static void send(OutputStream out, long length, byte[] chunk) throws IOException {
        for (long left = length; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
    }

    /** Times {@code rounds} transfers each way against the server at ADDR:PORT and prints them. */
    private static void measure(String address, int port, long bytes, int rounds, String what) throws IOException {
        List<Double> up = new ArrayList<>();
        List<Double> down = new ArrayList<>();
        for (int r = 0; r <= rounds; r++) { // round 0 warms the JIT up and is not counted
            String only = System.getProperty("tcp4j.bench.only", ""); // "S" or "R": one direction (for profiling)
            double toServer = only.equals("R") ? 0 : once(address, port, bytes, 'S');
            double fromServer = only.equals("S") ? 0 : once(address, port, bytes, 'R');
            if (r > 0) {
                up.add(toServer);
                down.add(fromServer);
            }
            System.out.printf(Locale.ROOT, "%s round %d%s: client->server %.2f Gbit/s, server->client %.2f Gbit/s%n", what, r,
                    r == 0 ? " (warm-up)" : "", toServer, fromServer);
        }
        System.out.printf(Locale.ROOT, "RESULT %s %d bytes x %d rounds: to %s median %.2f best %.2f Gbit/s; from %s median %.2f"
                + " best %.2f Gbit/s%n", what, bytes, rounds, what, median(up), best(up), what, median(down), best(down));
    }

    /** One transfer; its throughput in Gbit/s. */
    private static double once(String address, int port, long bytes, char direction) throws IOException {
        byte[] chunk = new byte[CHUNK];
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 10_000);
            DataOutputStream request = new DataOutputStream(s.getOutputStream());
            request.write(direction);
            request.writeLong(bytes);
            if (direction == 'S') {
                send(s.getOutputStream(), bytes, chunk);
                s.shutdownOutput();
                if (s.getInputStream().read() != 1) {
                    throw new IOException("the server did not get all the bytes");
                }
            } else {
                request.flush();
                long got = 0;
                int n;
                InputStream in = s.getInputStream();
                while ((n = in.read(chunk)) >= 0) {
                    got += n;
                }
                if (got != bytes) {
                    throw new IOException("got " + got + " of " + bytes + " bytes");
                }
            }
        }
        return bytes * 8 / ((System.nanoTime() - start) / 1e9) / 1e9;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double best(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
