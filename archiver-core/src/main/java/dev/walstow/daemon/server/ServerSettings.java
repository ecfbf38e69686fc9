package dev.walstow.daemon.server;

import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.daemon.spool.SpoolLayout;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link DaemonServer} needs to know.
 *
 * @param socket where to listen ({@link SpoolLayout#socket()})
 * @param peers who may connect
 * @param requestTimeout how long a connected peer has to send its complete request
 */
public record ServerSettings(Path socket, PeerPolicy peers, Duration requestTimeout) {
    /** Agents send their request right after connecting; 10 s is generous even on an overloaded host. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public ServerSettings {
        if (socket == null || peers == null || requestTimeout == null || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("socket, peers and a positive request timeout are required");
        }
    }

    /** The production settings: the cluster's spool socket, this process's uid plus {@code allowed-uids}. */
    public static ServerSettings of(SpoolLayout layout, DaemonConfig config) {
        return new ServerSettings(layout.socket(), PeerPolicy.forThisProcess(config.allowedUids()),
                DEFAULT_REQUEST_TIMEOUT);
    }
}
