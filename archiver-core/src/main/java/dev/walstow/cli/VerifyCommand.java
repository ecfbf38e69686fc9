package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.runtime.Progress;
import dev.walstow.catalog.RepositoryVerify;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.DataError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryLock;
import dev.walstow.runtime.Components;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "verify", description = {
        "Decrypt and checksum every object of every backup and of the WAL archive (in parallel), and check WAL",
        "continuity from each backup to the newest segment of its timeline and of every later timeline descending",
        "from it (history files followed). Exits non-zero on any problem."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.DECRYPT);
                Progress progress = Progress.onTerminal("verify")) {
            PrintWriter out = spec.commandLine().getOut();
            RepositoryLock lock = RepositoryLock.of(repository.repository(), cfg.backup().lockStaleAfter());
            RepositoryLock.Reading reading = lock.beforeReading("verify");
            reading.note().ifPresent(out::println);
            RepositoryVerify.Report r = new RepositoryVerify(repository, new Retrier(cfg.retry()))
                    .run(cfg.backup().parallelism(), progress);
            r.missing().forEach(k -> out.println("missing: " + k));
            r.corrupt().forEach(k -> out.println("corrupt: " + k));
            r.gaps().forEach(k -> out.println("gap: " + k));
            if (!r.ok()) {
                lock.takenSince(reading, "verify").ifPresent(out::println);
            }
            out.printf("verify: %d objects found intact, %d missing, %d corrupt, %d WAL gaps%n", r.found(),
                    r.missing().size(), r.corrupt().size(), r.gaps().size());
            out.flush();
            if (!r.ok()) {
                throw DataError.integrity("the repository has " + (r.missing().size() + r.corrupt().size()
                        + r.gaps().size()) + " problem(s), listed above", "restore the named objects from a copy; "
                        + "take a new backup if a backup is damaged", null);
            }
            return 0;
        }
    }
}
