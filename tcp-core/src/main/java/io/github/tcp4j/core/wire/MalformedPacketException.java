package io.github.tcp4j.core.wire;

import java.util.Objects;

/**
 * Bytes that are not a well-formed TCP segment or IPv4 header. The one error every decoder in
 * {@code wire} reports; {@link #reason()} says what was wrong, so the caller can count the drop.
 *
 * <p>Decoding untrusted input never throws anything else: no {@code IndexOutOfBoundsException},
 * no {@code NullPointerException}. The exception carries no stack trace (it is an expected
 * outcome on the receive path, not a bug), which keeps a flood of bad segments cheap.
 */
public final class MalformedPacketException extends Exception {

    private static final long serialVersionUID = 1L;

    private final MalformedReason reason;

    /** A failure for {@code reason} with a human-readable {@code detail}. */
    public MalformedPacketException(MalformedReason reason, String detail) {
        super(Objects.requireNonNull(reason, "reason") + ": " + detail, null, false, false);
        this.reason = reason;
    }

    /** What was wrong with the bytes. */
    public MalformedReason reason() {
        return reason;
    }
}
