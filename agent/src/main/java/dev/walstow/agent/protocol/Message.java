package dev.walstow.agent.protocol;

/** A unit of the agent-daemon protocol; see {@link Frames} for the wire format. */
public sealed interface Message permits Request, Reply {}
