package dev.walstow.repo;

import dev.walstow.wal.BackupHistoryName;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;

/**
 * Where each thing lives in a repository. An archived file's key follows from its WAL file name alone, so
 * archive-get is one direct read and never a listing (listings are slow and eventually consistent on some stores).
 *
 * <pre>
 * repository.json                                   binding to one cluster (see {@link RepositoryBinding})
 * wal/0000000100000000/000000010000000000000001     segment: directory per timeline + log id (4 GiB of WAL)
 * wal/0000000100000000/000000010000000000000002.partial
 * wal/0000000100000000/000000010000000000000002.00000028.backup
 * wal/history/00000002.history
 * </pre>
 */
public final class RepositoryLayout {
    public static final String BINDING_KEY = "repository.json";
    public static final String WAL_PREFIX = "wal/";

    private RepositoryLayout() {}

    public static String keyOf(WalFileName name) {
        return switch (name) {
            case SegmentName s -> segmentDirectory(s) + s.fileName();
            case PartialName p -> segmentDirectory(p.segment()) + p.fileName();
            case BackupHistoryName b -> segmentDirectory(b.segment()) + b.fileName();
            case HistoryName h -> WAL_PREFIX + "history/" + h.fileName();
        };
    }

    private static String segmentDirectory(SegmentName s) {
        return WAL_PREFIX + s.fileName().substring(0, 16) + "/";
    }
}
