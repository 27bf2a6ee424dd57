package io.github.tcp4j.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tcp4j.core.conn.ScriptedPeer.PeerSyn;
import io.github.tcp4j.core.conn.ScriptedPeer.Seg;
import io.github.tcp4j.core.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The sender's side of SACK: with the peer's SACK blocks in its scoreboard, a tcp4j sender
 * recovers by retransmitting exactly the holes (RFC 6675), never what was SACKed, without
 * waiting for a timeout; and D-SACK blocks (RFC 2883) are taken in stride: they are no duplicate
 * ACKs and start no recovery. MSS 1448 (timestamps on), 5 ms each way.
 */
class SackRecoveryTest {

    private static final int MSS = 1448;

    /**
     * The peer as a receiver that loses the first transmission of some segments and answers every
     * segment at once: the cumulative ACK plus up to three SACK blocks, the one holding the
     * segment just received first, the others most recently changed first (RFC 2018 4).
     */
    private static final class LossyReceiver {
        final ScriptedPeer p;
        final Set<Long> loseOnce;
        final TreeMap<Long, Long> outOfOrder = new TreeMap<>();
        final List<Long> recent = new ArrayList<>();
        final List<Long> retransmitted = new ArrayList<>();
        long rcvNxt;
        long highestSeen;

        LossyReceiver(ScriptedPeer p, Set<Long> loseOnce) {
            this.p = p;
            this.loseOnce = new HashSet<>(loseOnce);
        }

        void deliver(Seg s) {
            if (s.len() == 0) {
                return;
            }
            long start = p.stackOffset(s.seq());
            long end = start + s.len();
            if (start < highestSeen) {
                retransmitted.add(start);
            }
            highestSeen = Math.max(highestSeen, end);
            if (loseOnce.remove(start)) {
                return; // lost on the way
            }
            long blockStart = -1;
            if (start <= rcvNxt) {
                rcvNxt = Math.max(rcvNxt, end);
                Map.Entry<Long, Long> next;
                while ((next = outOfOrder.firstEntry()) != null && next.getKey() <= rcvNxt) {
                    rcvNxt = Math.max(rcvNxt, next.getValue());
                    outOfOrder.pollFirstEntry();
                    recent.remove(next.getKey());
                }
            } else {
                long l = start;
                long r = end;
                Map.Entry<Long, Long> e;
                while ((e = outOfOrder.floorEntry(r)) != null && e.getValue() >= l) {
                    l = Math.min(l, e.getKey());
                    r = Math.max(r, e.getValue());
                    outOfOrder.remove(e.getKey());
                    recent.remove(e.getKey());
                }
                outOfOrder.put(l, r);
                recent.add(0, l);
                blockStart = l;
            }
            TcpSegment ack = p.ackOf(rcvNxt);
            int n = 0;
            if (blockStart >= 0) {
                ack.addSackBlock(p.stackSeq(blockStart), p.stackSeq(outOfOrder.get(blockStart)));
                n++;
            }
            for (long l : recent) {
                if (n == 3) {
                    break;
                }
                if (l != blockStart) {
                    ack.addSackBlock(p.stackSeq(l), p.stackSeq(outOfOrder.get(l)));
                    n++;
                }
            }
            p.send(ack);
        }

        /** Runs the exchange until the sender has nothing more to say for a second. */
        void run() {
            Seg s;
            while ((s = p.nextWithin(Duration.ofSeconds(1))) != null) {
                deliver(s);
            }
        }
    }

    @ParameterizedTest(name = "{0}, lost segments {1}")
    @CsvSource({
        "CUBIC, 2 5, 1",
        "NEW_RENO, 2 5, 1",
        "CUBIC, 0 3 4 9, 1",
        "NEW_RENO, 1 6 7 8, 1",
        // segment 15 is first sent during the first recovery, so its loss is a second congestion event
        "CUBIC, 0 3 4 9 15, 2",
    })
    void onlyTheHolesAreRetransmittedEachOnce(CongestionControl.Algorithm algorithm, String lost, int episodes) {
        TcpConfig config = TcpConfig.builder().congestionControl(algorithm).build();
        try (ScriptedPeer p = new ScriptedPeer(config, Duration.ofMillis(5))) {
            TcpConnection c = p.open(PeerSyn.full());
            assertEquals(MSS, c.sendMss());
            Set<Long> holes = new HashSet<>();
            for (String s : lost.split(" ")) {
                holes.add(Long.parseLong(s) * MSS);
            }
            p.write(0, 60 * MSS); // new data outlasts the recovery: no rescue retransmission (NextSeg rule 4)
            LossyReceiver receiver = new LossyReceiver(p, holes);
            receiver.run();

            assertEquals(60L * MSS, receiver.rcvNxt, "everything arrived: " + p.dump());
            assertEquals(0, c.sendQueued());
            // RFC 6675 5 (NextSeg rule 1): only lost holes go again; SACKed data never does; each hole once
            assertEquals(holes, new HashSet<>(receiver.retransmitted), "retransmitted " + receiver.retransmitted + "\n" + p.dump());
            assertEquals(holes.size(), receiver.retransmitted.size(), "each hole exactly once: " + receiver.retransmitted);
            assertEquals(0, p.host.stats().retransmitTimeouts(), "recovered without a timeout:\n" + p.dump());
            assertEquals(episodes, p.host.stats().fastRetransmits(), "recovery episodes:\n" + p.dump());
            assertFalse(c.inLossRecovery());
        }
    }

    @Test
    void withNoNewDataLeftOneRescueRetransmissionOfTheTailIsAllowed() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults(), Duration.ofMillis(5))) {
            p.open(PeerSyn.full());
            p.write(0, 20 * MSS);
            LossyReceiver receiver = new LossyReceiver(p, Set.of(2L * MSS, 5L * MSS));
            receiver.run();
            assertEquals(20L * MSS, receiver.rcvNxt);
            List<Long> extra = new ArrayList<>(receiver.retransmitted);
            extra.removeAll(List.of(2L * MSS, 5L * MSS));
            assertEquals(2, receiver.retransmitted.size() - extra.size(), "both holes once: " + receiver.retransmitted);
            // RFC 6675 4 NextSeg() rule 4: at most one rescue retransmission per recovery, of the highest unSACKed data
            assertTrue(extra.isEmpty() || extra.equals(List.of(19L * MSS)), "only a rescue of the tail: " + extra);
            assertEquals(0, p.host.stats().retransmitTimeouts());
        }
    }

    @Test
    void aHoleIsLostOnceMoreThanTwoSegmentsAboveItAreSacked() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults(), Duration.ofMillis(5))) {
            p.open(PeerSyn.full());
            p.write(0, 20 * MSS);
            assertEquals(10, p.next(10).size());
            // segment 0 lost; 1 and 2 SACKed: two segments above the hole, not more than (DupThresh - 1) SMSS
            p.send(p.ackOf(0).addSackBlock(p.stackSeq(MSS), p.stackSeq(3 * MSS)));
            List<Seg> early = p.during(Duration.ofMillis(10));
            // RFC 6675 4 IsLost(): not yet lost; limited transmit (RFC 3042) sends new data instead
            assertEquals(1, early.size(), early.toString());
            assertEquals(10L * MSS, p.stackOffset(early.get(0).seq()));
            assertEquals(0, p.host.stats().retransmissions());
            // the second duplicate ACK SACKs a third segment: more than 2 SMSS above the hole, so it is lost,
            // and recovery starts before DupThresh duplicate ACKs (RFC 6675 5 step 2)
            p.send(p.ackOf(0).addSackBlock(p.stackSeq(MSS), p.stackSeq(4 * MSS)));
            List<Seg> then = p.during(Duration.ofMillis(10));
            assertEquals(0, p.stackOffset(then.get(0).seq()), "the hole goes at once: " + then);
            assertEquals(1, p.host.stats().fastRetransmits());
        }
    }

    @Test
    void dsackBlocksAreNoDuplicateAcksAndStartNoRecovery() {
        try (ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults(), Duration.ofMillis(5))) {
            TcpConnection c = p.open(PeerSyn.full());
            p.write(0, 10 * MSS);
            p.next(10);
            p.send(p.ackOf(4L * MSS));
            p.during(Duration.ofMillis(10));
            long cwnd = c.congestionWindow();
            int sent = p.log.size();
            // RFC 2883 4.1: a D-SACK block below the cumulative ACK reports a duplicate segment
            for (int i = 0; i < 3; i++) {
                p.send(p.ackOf(4L * MSS).addSackBlock(p.stackSeq(0), p.stackSeq(MSS)));
            }
            // one block of new SACK information (a duplicate ACK), then, three times, RFC 2883 4.2's D-SACK
            // inside it: the first block reports a duplicate that the second block covers
            p.send(p.ackOf(4L * MSS).addSackBlock(p.stackSeq(5L * MSS), p.stackSeq(7L * MSS)));
            for (int i = 0; i < 3; i++) {
                p.send(p.ackOf(4L * MSS).addSackBlock(p.stackSeq(5L * MSS), p.stackSeq(6L * MSS))
                        .addSackBlock(p.stackSeq(5L * MSS), p.stackSeq(7L * MSS)));
            }
            List<Seg> after = p.during(Duration.ofMillis(20));
            assertFalse(c.inLossRecovery(), "D-SACKs are not duplicate ACKs (RFC 6675 2, RFC 2883 5)");
            assertEquals(0, p.host.stats().retransmissions(), "nothing retransmitted: " + after);
            assertEquals(0, p.host.stats().fastRetransmits());
            assertEquals(cwnd, c.congestionWindow(), "cwnd untouched");
            assertTrue(p.log.size() - sent <= 1, "at most the one limited-transmit segment: "
                    + after.stream().map(Seg::toString).collect(Collectors.joining("\n")));
        }
    }
}
