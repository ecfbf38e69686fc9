package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.runtime.Progress;
import dev.walstow.catalog.RepositoryVerify;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.DataError;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
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
        "from it (history files followed). Exits non-zero on any problem. Without a secret key (the archiving",
        "host) it says so first and checks what it can: presence, sizes, stored metadata, WAL continuity."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    /** Said once, before anything else, when verify runs without a secret key (on the archiving host). */
    static final String NOT_DECRYPTED = "content not decrypted: no secret key configured ([encryption] secret); "
            + "checked presence, sizes, metadata and WAL continuity";

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.DECRYPT);
                Progress progress = Progress.onTerminal("verify")) {
            RepositoryVerify verify = new RepositoryVerify(repository, new Retrier(cfg.retry()));
            PrintWriter out = spec.commandLine().getOut();
            if (!verify.decrypts()) {
                out.println(NOT_DECRYPTED);
                out.flush();
            }
            RepositoryVerify.Report r = verify.run(cfg.backup().parallelism(), progress);
            r.missing().forEach(k -> out.println("missing: " + k));
            r.corrupt().forEach(k -> out.println("corrupt: " + k));
            r.gaps().forEach(k -> out.println("gap: " + k));
            out.printf("verify: %d objects %s, %d missing, %d corrupt, %d WAL gaps%n", r.found(),
                    r.decrypted() ? "found intact" : "present and consistent (content not decrypted)",
                    r.missing().size(), r.corrupt().size(), r.gaps().size());
            out.flush();
            if (r.keyError().isPresent()) {
                WalstowException first = r.keyError().get();
                throw DataError.key(r.undecryptable().size() + " object(s) cannot be decrypted with the configured "
                        + "key: " + first.getMessage() + (r.problems() == 0 ? "" : " Besides, the repository has "
                        + r.problems() + " problem(s), listed above."), first.hint(), first);
            }
            if (!r.ok()) {
                throw DataError.integrity("the repository has " + r.problems() + " problem(s), listed above",
                        "restore the named objects from a copy; take a new backup if a backup is damaged", null);
            }
            return 0;
        }
    }
}
