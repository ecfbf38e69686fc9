package dev.walstow.cli;

import dev.walstow.archive.ArchivePush;
import dev.walstow.archive.PgWalDirectory;
import dev.walstow.archive.Retrier;
import dev.walstow.config.WalstowConfig;
import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.runtime.Components;
import dev.walstow.wal.WalFileName;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "archive-push", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Archive one WAL file: PostgreSQL's archive_command.",
                "Exits 0 only once the file is durably in the repository; on any other status PostgreSQL keeps the "
                        + "file and retries.",
                "postgresql.conf: archive_command = 'walstow archive-push %%p'"})
final class ArchivePushCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivePushCommand.class);

    @Mixin
    ConfigOption config;

    @Option(names = "--allow-outside-pg-wal", description = "Accept a file outside the cluster's pg_wal (manual use).")
    boolean anywhere;

    @Parameters(index = "0", paramLabel = "%p", description = "Path of the WAL file, as PostgreSQL passes it.")
    Path path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        WalFileName name = WalFileName.parse(path.getFileName().toString());
        WalstowConfig cfg = config.load();
        PgWalDirectory pgWal = PgWalDirectory.locate(cfg.postgres().data(), Path.of("").toAbsolutePath());
        Path source = pgWal.check(path, anywhere);
        Owners.require(spec, cfg, pgWal.dataDirectory());
        // One JVM per call when the daemon is down: the spool remembers what the last one learnt about the store.
        try (BoundRepository repository = Components.open(cfg, pgWal.dataDirectory()
                .map(d -> Components.repository(cfg, new SpoolLayout(d).root()))
                .orElseGet(() -> Components.repository(cfg, false)), Components.KeyUse.ENCRYPT_ONLY)) {
            ArchivePush.Outcome outcome = push(repository, new Retrier(cfg.retry()), name, source);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (outcome.alreadyArchived()) {
                LOG.info("walstow archive-push: {} was already archived with identical content (sha256 {}); "
                        + "nothing to do ({} ms)", name.fileName(), outcome.sha256(), ms);
            } else {
                LOG.info("walstow archive-push: {} archived ({} -> {} bytes) in {} ms", name.fileName(),
                        outcome.plainSize(), outcome.storedSize(), ms);
            }
            return 0;
        }
    }

    /** One push, each whole attempt repeated by {@code retrier}: this command's one retry layer. */
    static ArchivePush.Outcome push(BoundRepository repository, Retrier retrier, WalFileName name, Path source) {
        ArchivePush push = new ArchivePush(repository);
        return retrier.call("storing " + RepositoryLayout.keyOf(name), () -> push.push(name, source));
    }
}
