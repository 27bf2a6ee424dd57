package io.github.tcp4j.core.transport;

import io.github.tcp4j.core.wire.IpAddress;
import io.github.tcp4j.core.wire.MalformedPacketException;
import io.github.tcp4j.core.wire.TcpCodec;
import io.github.tcp4j.core.wire.TcpFlags;
import io.github.tcp4j.core.wire.TcpSegment;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A scripted TCP peer for protocol tests: a host on a {@link SimNetwork} that does exactly what a
 * test says, in order: "expect SYN", "send SYN,ACK seq=..., ack=...", "advance 3 s", "expect
 * RST", "expect nothing for 1 s". It speaks through the real codec (checksums included), so the
 * stack under test cannot tell it from a real peer, and it lets a test produce the hand-made,
 * odd or hostile segments no well-behaved stack would send.
 *
 * <pre>{@code
 * PeerScript peer = PeerScript.attach(net, peerHost, 80, stackAddress, 40000)
 *     .expect("SYN", s -> s.has(SYN) && !s.has(ACK))
 *     .send(last -> new TcpSegment().flags(SYN | ACK).seq(1000).ack(last.seq() + 1).window(65535))
 *     .expect("ACK of our SYN", s -> s.has(ACK) && s.ack() == 1001)
 *     .advance(Duration.ofSeconds(3))
 *     .send(last -> new TcpSegment().flags(RST).seq(1001));
 * peer.run();   // drives the network; fails with ScriptFailure at the first unmet expectation
 * }</pre>
 *
 * <p>{@code send} steps get the last segment this peer received (so a reply can use its SEQ and
 * ACK) and fill in the ports; the script encodes and sends it. Everything runs on the network's
 * virtual time. Segments that arrive while no {@code expect} step waits are kept, in order, for the
 * next one. A segment that fails its checksum counts as received-and-corrupted, and an
 * {@code expect} step reports it.
 */
public final class PeerScript implements SimNode {

    /** An expectation a script could not meet; the message says which step and what arrived instead. */
    public static final class ScriptFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        ScriptFailure(String message) {
            super(message);
        }
    }

    private interface Step {
        void run(PeerScript script);
    }

    /** Default time an {@code expect} step waits. */
    public static final Duration DEFAULT_EXPECT_TIMEOUT = Duration.ofSeconds(10);

    private final SimNetwork network;
    private final SimHost host;
    private final int localPort;
    private final IpAddress remote;
    private final int remotePort;
    private final List<Step> steps = new ArrayList<>();
    private final ArrayDeque<TcpSegment> inbox = new ArrayDeque<>();
    private final List<String> transcript = new ArrayList<>();
    private TcpSegment last = new TcpSegment();
    private int corrupted;

    private PeerScript(SimNetwork network, SimHost host, int localPort, IpAddress remote, int remotePort) {
        this.network = network;
        this.host = host;
        this.localPort = localPort;
        this.remote = remote;
        this.remotePort = remotePort;
    }

    /** A script for port {@code localPort} of {@code host}, talking to {@code remote}:{@code remotePort}; attaches itself to the host. */
    public static PeerScript attach(SimNetwork network, SimHost host, int localPort, IpAddress remote, int remotePort) {
        PeerScript script = new PeerScript(network, host, localPort, remote, remotePort);
        host.attach(script);
        return script;
    }

    /** Waits (up to {@link #DEFAULT_EXPECT_TIMEOUT}) for the next segment and checks it. */
    public PeerScript expect(String description, Predicate<TcpSegment> check) {
        return expect(description, check, DEFAULT_EXPECT_TIMEOUT);
    }

    /** Waits up to {@code timeout} of virtual time for the next segment and checks it. */
    public PeerScript expect(String description, Predicate<TcpSegment> check, Duration timeout) {
        Objects.requireNonNull(check, "check");
        steps.add(s -> s.doExpect(description, check, timeout));
        return this;
    }

    /** Waits for the next segment and checks only that all of {@code flags} and none of the other control bits are set. */
    public PeerScript expectFlags(int flags) {
        return expect("[" + TcpFlags.toString(flags) + "]", seg -> (seg.flags() & ~(TcpFlags.PSH | TcpFlags.ECE | TcpFlags.CWR))
                == flags);
    }

    /** Checks that no segment arrives for {@code quiet} of virtual time (e.g. "no retransmission before the RTO"). */
    public PeerScript expectNothing(Duration quiet) {
        steps.add(s -> s.doExpectNothing(quiet));
        return this;
    }

    /** Sends the segment {@code build} makes from the last segment received; the script sets the ports. */
    public PeerScript send(Function<TcpSegment, TcpSegment> build) {
        Objects.requireNonNull(build, "build");
        steps.add(s -> s.doSend(build));
        return this;
    }

    /** Lets {@code duration} of virtual time pass, everything on the network running meanwhile. */
    public PeerScript advance(Duration duration) {
        steps.add(s -> s.network.advance(duration));
        return this;
    }

    /** Runs any test code at this point of the script (e.g. a user call on the stack under test). */
    public PeerScript then(Runnable action) {
        steps.add(s -> action.run());
        return this;
    }

    /**
     * Runs the steps in order, driving the network.
     *
     * @throws ScriptFailure at the first expectation not met, with the transcript so far
     */
    public void run() {
        for (Step step : steps) {
            step.run(this);
        }
        steps.clear();
    }

    /** What the script saw and did, one line per segment, for failure messages and teaching output. */
    public List<String> transcript() {
        return List.copyOf(transcript);
    }

    /** Segments received whose checksum was wrong. */
    public int corruptedReceived() {
        return corrupted;
    }

    // ------------------------------------------------------------------ SimNode

    @Override
    public void receive(IpAddress source, IpAddress destination, io.netty.buffer.ByteBuf bytes) {
        try {
            TcpSegment seg = TcpCodec.decode(bytes, source, destination);
            inbox.add(seg);
        } catch (MalformedPacketException e) {
            corrupted++;
            transcript.add(at() + " <<< malformed: " + e.getMessage());
        } finally {
            bytes.release();
        }
    }

    // ------------------------------------------------------------------ steps

    private void doExpect(String description, Predicate<TcpSegment> check, Duration timeout) {
        if (!network.runUntil(() -> !inbox.isEmpty(), timeout)) {
            fail("expected " + description + " within " + timeout + ", nothing arrived");
        }
        TcpSegment seg = inbox.poll();
        transcript.add(at() + " <<< " + seg);
        last.release();
        last = seg;
        if (!check.test(seg)) {
            fail("expected " + description + ", got " + seg);
        }
    }

    private void doExpectNothing(Duration quiet) {
        if (!inbox.isEmpty() || network.runUntil(() -> !inbox.isEmpty(), quiet)) {
            fail("expected nothing for " + quiet + ", got " + inbox.peek());
        }
    }

    private void doSend(Function<TcpSegment, TcpSegment> build) {
        TcpSegment seg = build.apply(last).sourcePort(localPort).destinationPort(remotePort);
        transcript.add(at() + " >>> " + seg);
        IpAddress local = host.address();
        try {
            host.transport().send(local, remote, TcpCodec.encode(seg, local, remote, ByteBufAllocator.DEFAULT));
        } finally {
            if (seg != last) {
                seg.release();
            }
        }
    }

    private String at() {
        return String.format("%10.6f s", network.now() / 1e9);
    }

    private void fail(String message) {
        StringBuilder sb = new StringBuilder(message).append("\ntranscript of ").append(host.name()).append(':');
        transcript.forEach(line -> sb.append("\n  ").append(line));
        throw new ScriptFailure(sb.toString());
    }

    /** Releases the segments still held. */
    public void release() {
        last.release();
        inbox.forEach(TcpSegment::release);
        inbox.clear();
    }
}
