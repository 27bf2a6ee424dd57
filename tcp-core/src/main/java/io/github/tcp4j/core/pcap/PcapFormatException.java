package io.github.tcp4j.core.pcap;

import java.io.IOException;

/** A file that is not a classic pcap file, or ends in the middle of a header or a record. */
public final class PcapFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** A format error described by {@code message}. */
    public PcapFormatException(String message) {
        super(message);
    }
}
