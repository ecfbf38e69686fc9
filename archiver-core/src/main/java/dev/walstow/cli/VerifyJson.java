package dev.walstow.cli;

import dev.walstow.catalog.RepositoryVerify;
import dev.walstow.runtime.Json;
import java.util.List;

/**
 * {@code walstow verify --output json} (docs/json.md). Printed whether or not the repository is intact; when it is
 * not, the command still exits 9 with its one error line on stderr.
 *
 * @param objectsIntact objects read back whole: decrypted, decompressed, checksums matching
 * @param missing keys of objects a manifest or listing names that the store does not have
 * @param corrupt keys of objects that do not decode or match their checksum, or a sentence about a bad history file
 * @param walGaps one sentence per missing WAL segment a backup's recovery would need
 * @param brokenChains one sentence per backup whose chain is broken (the backup and the break: a reference gone, a
 *     file without a whole copy): restore refuses it
 */
record VerifyJson(int walstowJson, boolean ok, int objectsIntact, List<String> missing, List<String> corrupt,
        List<String> walGaps, List<String> brokenChains) {

    static VerifyJson of(RepositoryVerify.Report r) {
        return new VerifyJson(Json.VERSION, r.ok(), r.found(), r.missing(), r.corrupt(), r.gaps(),
                r.brokenChains());
    }
}
