package dev.walstow.backup;

import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.FileKind;
import dev.walstow.backup.BackupManifest.StoredPart;
import dev.walstow.backup.delta.IncrementalInput;
import dev.walstow.backup.delta.RelationPath;
import dev.walstow.backup.delta.VisibilityMapRanges;
import dev.walstow.backup.delta.WalSummaries;
import dev.walstow.repo.HeldLock;
import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import dev.walstow.wal.Lsn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Reads and stores the files of one backup, one task per 256 MiB part, and lists them for the manifest. A full stores
 * every file whole. A differential or incremental ({@link Delta}) stores a relation's main-fork file as its changed
 * blocks, or as "unchanged" when none changed; everything else is stored whole: files the reference lacks (new
 * relations, databases created since), free space map and visibility map forks (their changes are not all WAL-logged
 * with a page LSN), init forks, non-relation files (pg_control among them), and any file that got shorter (a
 * truncation) or whose length is not whole blocks.
 */
final class BackupFiles {

    /**
     * What an incremental or differential backup builds on.
     *
     * @param reference the chain of the backup this one builds on
     * @param blocksPerSegment RELSEG_SIZE: blocks per segment file of a relation
     * @param summaries the server's WAL summaries from the reference's start to this backup's, or empty to read
     *     every page
     * @param dataChecksums whether the cluster has data checksums: without them, a page scan also keeps pages marked
     *     all-visible since the reference ({@link VisibilityMapRanges})
     */
    record Delta(BackupChain reference, int blockSize, long blocksPerSegment, Optional<WalSummaries> summaries,
            boolean dataChecksums) {
        Lsn since() {
            return reference.newest().start();
        }
    }

    /** How one file is stored. */
    private sealed interface Plan {}

    private record Whole() implements Plan {}

    private record Unchanged() implements Plan {}

    /**
     * @param blocks the blocks to read (from WAL summaries), or null to read every page
     * @param allVisibleSuspect for a page scan: blocks (numbered in the file) whose all-visible mark may be new
     */
    private record Increment(long referenceBlocks, int[] blocks, LongPredicate allVisibleSuspect) implements Plan {}

    private final String label;
    private final PartStore parts;
    private final HeldLock lock;
    private final int parallelism;
    private final Progress progress;
    private final Optional<Delta> delta;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong changed = new AtomicLong();

    BackupFiles(String label, PartStore parts, HeldLock lock, int parallelism, Progress progress,
            Optional<Delta> delta) {
        this.label = label;
        this.parts = parts;
        this.lock = lock;
        this.parallelism = parallelism;
        this.progress = progress;
        this.delta = delta;
    }

    /** Bytes read, stored and changed so far. */
    BackupManifest.Stats stats() {
        return new BackupManifest.Stats(read.get(), parts.storedBytes(), changed.get());
    }

    /** One task per part; a file is listed only if every part of it was read (else it vanished: dropped). */
    List<FileEntry> upload(List<DataDirectoryScan.LocalFile> local) {
        List<Callable<Optional<Object>>> tasks = new ArrayList<>();
        List<int[]> owner = new ArrayList<>();
        List<Plan> plans = new ArrayList<>();
        AtomicIntegerArray partsLeft = new AtomicIntegerArray(local.size());
        for (int f = 0; f < local.size(); f++) {
            DataDirectoryScan.LocalFile file = local.get(f);
            Plan plan = plan(file);
            plans.add(plan);
            if (plan instanceof Unchanged) {
                progress.add(file.size());
                progress.fileDone();
                continue;
            }
            int count = (int) Math.max(1, (file.size() + BackupLayout.PART_SIZE - 1) / BackupLayout.PART_SIZE);
            partsLeft.set(f, count);
            int fileIndex = f;
            for (int p = 0; p < count; p++) {
                String key = BackupLayout.partKey(label, f, p);
                long offset = p * BackupLayout.PART_SIZE;
                // The last part reads to the end: the file may have grown since it was listed.
                long limit = p == count - 1 ? Long.MAX_VALUE : BackupLayout.PART_SIZE;
                tasks.add(() -> {
                    lock.ensureHeld();
                    Optional<Object> stored = store(plan, key, file, offset, limit);
                    if (partsLeft.decrementAndGet(fileIndex) == 0) {
                        progress.fileDone();
                    }
                    return stored;
                });
                owner.add(new int[] {f, p});
            }
        }
        List<Optional<Object>> stored = ParallelTasks.run(parallelism, tasks);
        List<FileEntry> files = new ArrayList<>();
        int i = 0;
        for (int f = 0; f < local.size(); f++) {
            DataDirectoryScan.LocalFile file = local.get(f);
            if (plans.get(f) instanceof Unchanged) {
                files.add(new FileEntry(file.path(), file.size(), file.mode(), List.of(),
                        FileKind.UNCHANGED.text()));
                continue;
            }
            List<Object> results = new ArrayList<>();
            boolean complete = true;
            for (; i < owner.size() && owner.get(i)[0] == f; i++) {
                complete &= stored.get(i).isPresent();
                stored.get(i).ifPresent(results::add);
            }
            if (complete) {
                files.add(entry(file, plans.get(f), results));
            }
        }
        return files;
    }

    private Optional<Object> store(Plan plan, String key, DataDirectoryScan.LocalFile file, long offset, long limit) {
        if (plan instanceof Increment inc) {
            int bs = delta.orElseThrow().blockSize();
            long since = delta.get().since().value();
            Optional<PartStore.Increment> result = parts.storeIncrement(key, file.source(), offset,
                    ch -> inc.blocks() == null
                            ? IncrementalInput.scan(ch, offset, limit, bs, inc.referenceBlocks(), since,
                                    inc.allVisibleSuspect())
                            : IncrementalInput.listed(ch, offset, limit, bs, inc.blocks()));
            result.ifPresent(r -> {
                read.addAndGet(r.bytesRead());
                changed.addAndGet((long) r.blocks() * bs);
                progress.add(Math.max(0, Math.min(limit, file.size() - offset)));
            });
            return result.map(r -> r);
        }
        Optional<StoredPart> part = parts.store(key, file.source(), offset, limit);
        part.ifPresent(s -> {
            read.addAndGet(s.size());
            changed.addAndGet(s.size());
            progress.add(s.size());
        });
        return part.map(p -> p);
    }

    private FileEntry entry(DataDirectoryScan.LocalFile file, Plan plan, List<Object> results) {
        if (plan instanceof Whole) {
            List<StoredPart> stored = results.stream().map(StoredPart.class::cast).toList();
            long size = stored.stream().mapToLong(StoredPart::size).sum();
            return new FileEntry(file.path(), size, file.mode(), stored);
        }
        List<PartStore.Increment> increments = results.stream().map(PartStore.Increment.class::cast).toList();
        long length = increments.stream().mapToLong(PartStore.Increment::end).max().orElse(0);
        List<StoredPart> stored = increments.stream().flatMap(r -> r.part().stream()).toList();
        long referenceSize = delta.orElseThrow().reference().newestFile(file.path()).orElseThrow().size();
        if (stored.isEmpty() && length == referenceSize) {
            return new FileEntry(file.path(), length, file.mode(), List.of(), FileKind.UNCHANGED.text());
        }
        return new FileEntry(file.path(), length, file.mode(), stored, FileKind.INCREMENTAL.text());
    }

    private Plan plan(DataDirectoryScan.LocalFile file) {
        if (delta.isEmpty()) {
            return new Whole();
        }
        Delta d = delta.get();
        Optional<RelationPath> relation = RelationPath.parse(file.path());
        if (relation.isEmpty() || relation.get().fork() != RelationPath.Fork.MAIN) {
            return new Whole();
        }
        Optional<FileEntry> before = d.reference().newestFile(file.path());
        if (before.isEmpty()) {
            return new Whole();
        }
        long size = file.size();
        long referenceSize = before.get().size();
        if (size % d.blockSize() != 0 || referenceSize % d.blockSize() != 0 || size < referenceSize) {
            return new Whole();
        }
        long referenceBlocks = referenceSize / d.blockSize();
        if (d.summaries().isEmpty()) {
            return new Increment(referenceBlocks, null, allVisibleSuspect(file, relation.get(), d));
        }
        Optional<int[]> blocks = d.summaries().get().blocks(relation.get(), d.blocksPerSegment(),
                size / d.blockSize(), referenceBlocks);
        if (blocks.isEmpty()) {
            return new Whole();
        }
        if (blocks.get().length == 0 && size == referenceSize) {
            return new Unchanged();
        }
        return new Increment(referenceBlocks, blocks.get(), b -> false);
    }

    /** Without data checksums: the blocks of this segment file in visibility map ranges changed since. */
    private static LongPredicate allVisibleSuspect(DataDirectoryScan.LocalFile file, RelationPath relation, Delta d) {
        if (d.dataChecksums()) {
            return b -> false;
        }
        Path vm = file.source().resolveSibling(relation.relation() + "_vm");
        VisibilityMapRanges ranges;
        try {
            ranges = VisibilityMapRanges.read(vm, d.blockSize(), d.since().value());
        } catch (IOException e) {
            return b -> true; // cannot tell: every page marked all-visible is stored
        }
        long first = relation.segment() * d.blocksPerSegment();
        return b -> ranges.suspect(first + b);
    }
}
