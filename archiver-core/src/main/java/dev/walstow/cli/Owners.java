package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.config.WalstowConfig.RepositoryConfig;
import dev.walstow.runtime.RunAsOwner;
import dev.walstow.runtime.RunAsOwner.Place;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * What a writing command checks first, before it writes anything ({@link RunAsOwner}): the places it writes, from
 * its options and the configuration, and the command line to repeat in the hint.
 */
final class Owners {
    private Owners() {}

    /** The data directory (if known) and, for a posix repository, its root directory. */
    static void require(CommandSpec spec, WalstowConfig cfg, Optional<Path> dataDirectory) {
        List<Place> places = new ArrayList<>();
        dataDirectory.ifPresent(d -> places.add(Place.dataDirectory(d)));
        if (cfg.repository() instanceof RepositoryConfig.Posix posix) {
            places.add(Place.repository(posix.path()));
        }
        RunAsOwner.require(invocation(spec), places);
    }

    /** The data directory alone: archive-get writes only into pg_wal. */
    static void requireDataDirectory(CommandSpec spec, Optional<Path> dataDirectory) {
        RunAsOwner.require(invocation(spec), dataDirectory.map(Place::dataDirectory).stream().toList());
    }

    /** The directory a restore writes into or, while it does not exist, the nearest directory above it that does. */
    static void requireRestoreTarget(CommandSpec spec, Path target) {
        Path existing = target.toAbsolutePath().normalize();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        RunAsOwner.require(invocation(spec), List.of(new Place(existing, existing.equals(
                target.toAbsolutePath().normalize()) ? "the restore target" : "the directory above the restore "
                + "target", true)));
    }

    /** The command's name and every argument the user gave after {@code walstow}. */
    static RunAsOwner.Invocation invocation(CommandSpec spec) {
        ParseResult parsed = spec.root().commandLine().getParseResult();
        return new RunAsOwner.Invocation(spec.name(), parsed == null ? List.of(spec.name()) : parsed.originalArgs());
    }
}
