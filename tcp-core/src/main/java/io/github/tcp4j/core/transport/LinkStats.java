package io.github.tcp4j.core.transport;

/**
 * A snapshot of one link direction's counters.
 *
 * <p>Every packet is accounted for: {@code sent + duplicated == delivered + dropped() + inFlight}.
 *
 * @param sent packets handed to the direction
 * @param delivered packets handed to the receiving host
 * @param droppedLoss packets lost at random
 * @param droppedQueueFull packets refused by the full drop-tail queue
 * @param droppedTooBig packets larger than the MTU
 * @param droppedPartition packets sent while the direction was partitioned
 * @param droppedNoReceiver packets that arrived at a host with no node attached
 * @param droppedAtClose packets still travelling when the network was closed
 * @param duplicated extra copies made
 * @param corrupted packets with a bit flipped
 * @param reordered packets held back so that later ones overtake them
 * @param inFlight packets (copies included) still travelling
 */
public record LinkStats(long sent, long delivered, long droppedLoss, long droppedQueueFull, long droppedTooBig,
        long droppedPartition, long droppedNoReceiver, long droppedAtClose, long duplicated, long corrupted,
        long reordered, long inFlight) {

    /** All drops, whatever their cause. */
    public long dropped() {
        return droppedLoss + droppedQueueFull + droppedTooBig + droppedPartition + droppedNoReceiver + droppedAtClose;
    }

    @Override
    public String toString() {
        return "sent=" + sent + " delivered=" + delivered + " dropped=" + dropped()
                + " (loss=" + droppedLoss + " queue=" + droppedQueueFull + " too-big=" + droppedTooBig
                + " partition=" + droppedPartition + " no-receiver=" + droppedNoReceiver
                + (droppedAtClose == 0 ? "" : " at-close=" + droppedAtClose) + ")"
                + " duplicated=" + duplicated + " corrupted=" + corrupted + " reordered=" + reordered
                + " in-flight=" + inFlight;
    }
}
