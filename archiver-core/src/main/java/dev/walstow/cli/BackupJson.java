package dev.walstow.cli;

import dev.walstow.backup.BackupRun;
import dev.walstow.runtime.Json;

/**
 * {@code walstow backup --output json} (docs/json.md): the backup as {@code info} lists it.
 *
 * @param bytesPerSecond the read-compress-encrypt-upload rate over the whole backup, WAL wait included
 */
record BackupJson(int walstowJson, InfoJson.Backup backup, long bytesPerSecond) {

    static BackupJson of(BackupRun.Outcome outcome) {
        return new BackupJson(Json.VERSION, InfoJson.Backup.of(outcome.manifest()),
                Math.round(outcome.megabytesPerSecond() * 1e6));
    }
}
