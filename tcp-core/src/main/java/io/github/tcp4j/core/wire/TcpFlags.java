package io.github.tcp4j.core.wire;

/**
 * The eight control bits of the TCP header (RFC 9293 section 3.1, with CWR and ECE from
 * RFC 3168), as bit masks of the 13th header byte, and a printer for them.
 */
public final class TcpFlags {

    /** FIN: no more data from the sender. */
    public static final int FIN = 0x01;
    /** SYN: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** RST: reset the connection. */
    public static final int RST = 0x04;
    /** PSH: push function. */
    public static final int PSH = 0x08;
    /** ACK: the acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** URG: the urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECE: ECN-Echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** CWR: congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    /** All eight bits. */
    public static final int ALL = 0xFF;

    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    private static final int[] PRINT_ORDER = {1, 2, 0, 3, 4, 5, 6, 7}; // SYN, RST, FIN first, like tcpdump

    private TcpFlags() {
    }

    /** The flags as text, e.g. {@code "SYN,ACK"}; {@code "-"} when none is set. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        for (int bit : PRINT_ORDER) {
            if ((flags & (1 << bit)) != 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(NAMES[bit]);
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
