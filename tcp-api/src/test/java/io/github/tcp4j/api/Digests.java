package io.github.tcp4j.api;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of test data, and of everything a socket reads until the end of its stream. */
final class Digests {

    private Digests() {
    }

    static byte[] sha256(byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** Reads {@code s} until the peer's FIN, {@code chunk} bytes per blocking call at most; the SHA-256 of it all. */
    static byte[] sha256UntilEnd(TcpSocket s, int chunk) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer sink = ByteBuffer.allocate(chunk);
        while (true) {
            sink.clear();
            int n = s.read(sink);
            if (n < 0) {
                return sha.digest();
            }
            sha.update(sink.array(), 0, n);
        }
    }
}
