package dev.walstow.cli;

import dev.walstow.agent.ErrorCode;
import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.PgWalDirectory;
import dev.walstow.archive.Retrier;
import dev.walstow.config.WalstowConfig;
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

@Command(name = "archive-get", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Restore one WAL file: PostgreSQL's restore_command.",
                "Exit 0: restored; 1: not in the archive; above 125: a failure, on which recovery stops instead of "
                        + "ending early.",
                "postgresql.conf: restore_command = 'walstow archive-get %%f %%p'"})
final class ArchiveGetCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveGetCommand.class);

    @Mixin
    ConfigOption config;

    @Option(names = "--allow-outside-pg-wal", description = "Write the file anywhere (manual use).")
    boolean anywhere;

    @Parameters(index = "0", paramLabel = "%f", description = "WAL file name to restore.")
    String fileName;

    @Parameters(index = "1", paramLabel = "%p", description = "Destination path, as PostgreSQL passes it.")
    Path path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        WalFileName name = WalFileName.parse(fileName);
        WalstowConfig cfg = config.load();
        PgWalDirectory pgWal = PgWalDirectory.locate(cfg.postgres().data(), Path.of("").toAbsolutePath());
        Path destination = pgWal.check(path, anywhere);
        if (!anywhere) {
            Owners.requireDataDirectory(spec, pgWal.dataDirectory());
        }
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.DECRYPT)) {
            ArchiveGet.Outcome outcome = get(repository, new Retrier(cfg.retry()), name, destination);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (outcome == ArchiveGet.Outcome.NOT_FOUND) {
                LOG.info("walstow archive-get: {} is not in the archive ({} ms)", name.fileName(), ms);
                return ErrorCode.GET_NOT_FOUND;
            }
            LOG.info("walstow archive-get: {} restored in {} ms", name.fileName(), ms);
            return ErrorCode.SUCCESS;
        }
    }

    /** One get, each whole attempt repeated by {@code retrier}: this command's one retry layer. */
    static ArchiveGet.Outcome get(BoundRepository repository, Retrier retrier, WalFileName name, Path destination) {
        ArchiveGet get = new ArchiveGet(repository);
        return retrier.call("fetching " + RepositoryLayout.keyOf(name), () -> get.get(name, destination));
    }
}
