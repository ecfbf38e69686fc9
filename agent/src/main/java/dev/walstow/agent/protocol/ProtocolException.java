package dev.walstow.agent.protocol;

import java.io.IOException;

/** A frame that is not valid walstow protocol: wrong magic, unknown version or type, bad length, bad payload. */
public final class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }
}
