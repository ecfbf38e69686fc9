package dev.walstow.daemon.server;

/** What {@link FrameDecoder} passes on instead of a request when the bytes are not one; {@code why} is for the peer. */
record MalformedRequest(String why) {}
