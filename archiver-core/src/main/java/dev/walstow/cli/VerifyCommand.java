package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.runtime.Progress;
import dev.walstow.catalog.RepositoryVerify;
import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.DataError;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryLock;
import dev.walstow.runtime.Components;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Check every backup and the WAL archive, object by object.",
                "Decrypts and checksums every object (in parallel), checks that every backup's chain is complete "
                        + "(each backup it builds on there, down to a full), and checks WAL continuity from each "
                        + "backup to the newest segment of its timeline and of every later timeline descending from it "
                        + "(history files followed).",
                "Without a secret key (the archiving host) it says so first and checks what it can: presence, "
                        + "sizes, stored metadata, WAL continuity.",
                "Exits non-zero on any problem."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    /** Said once, before anything else, when verify runs without a secret key (on the archiving host). */
    static final String NOT_DECRYPTED = "content not decrypted: no secret key configured ([encryption] secret); "
            + "checked presence, sizes, metadata and WAL continuity";

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        Instant started = Instant.now();
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.DECRYPT);
                Progress progress = Progress.onTerminal("verify")) {
            RepositoryVerify verify = new RepositoryVerify(repository, new Retrier(cfg.retry()));
            PrintWriter out = output.text(spec.commandLine().getOut());
            if (!verify.decrypts()) {
                out.println(NOT_DECRYPTED);
                out.flush();
            }
            RepositoryLock lock = RepositoryLock.of(repository.repository(), cfg.backup().lockStaleAfter());
            RepositoryLock.Reading reading = lock.beforeReading("verify");
            reading.note().ifPresent(out::println);
            RepositoryVerify.Report r;
            try {
                r = verify.run(cfg.backup().parallelism(), progress);
            } catch (WalstowException e) {
                RunRecords.writeQuietly(repository.repository(), RunRecord.of(RunRecords.Kind.VERIFY, started,
                        Instant.now(), false, 0, "verify could not finish: " + e.oneLine()));
                throw e;
            }
            r.missing().forEach(k -> out.println("missing: " + k));
            r.corrupt().forEach(k -> out.println("corrupt: " + k));
            r.gaps().forEach(k -> out.println("gap: " + k));
            r.brokenChains().forEach(k -> out.println("broken chain: " + k));
            if (!r.ok()) {
                lock.takenSince(reading, "verify").ifPresent(out::println);
            }
            String summary = String.format("verify: %d objects %s, %d missing, %d corrupt, %d WAL gaps, %d broken "
                    + "chains", r.found(), r.decrypted() ? "found intact" : "present and consistent (content not "
                    + "decrypted)", r.missing().size(), r.corrupt().size(), r.gaps().size(), r.brokenChains().size());
            out.println(summary);
            out.flush();
            RunRecords.writeQuietly(repository.repository(), RunRecord.of(RunRecords.Kind.VERIFY, started,
                    Instant.now(), r.ok() && r.keyError().isEmpty(), r.problems() + r.undecryptable().size(),
                    summary));
            if (output.json()) {
                OutputOption.print(spec.commandLine().getOut(), VerifyJson.of(r));
            }
            if (r.keyError().isPresent()) {
                WalstowException first = r.keyError().get();
                throw DataError.key(r.undecryptable().size() + " object(s) cannot be decrypted with the configured "
                        + "key: " + first.getMessage() + (r.problems() == 0 ? "" : " Besides, the repository has "
                        + r.problems() + " problem(s), listed above."), first.hint(), first);
            }
            if (!r.ok()) {
                throw DataError.integrity("the repository has " + r.problems() + " problem(s), listed above",
                        "restore the named objects from a copy; take a new backup if a backup is damaged (a full one "
                                + "if a chain is broken)", null);
            }
            return 0;
        }
    }
}
