package dev.walstow.restore;

import dev.walstow.agent.Failures;
import dev.walstow.archive.Retrier;
import dev.walstow.backup.BackupChain;
import dev.walstow.backup.BackupChain.FileLayers;
import dev.walstow.backup.BackupChain.Layer;
import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.StoredPart;
import dev.walstow.backup.delta.IncrementalFormat;
import dev.walstow.error.DataError;
import dev.walstow.error.LocalIoError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the data files of a backup chain in one pass, each block once. A file kept whole by the newest backup (or
 * unchanged down to a whole copy) is fetched part by part in parallel, as from a full. A file with incremental
 * versions is rebuilt in three steps: (1) one task per file applies its incremental objects newest first, writing
 * each block (its CRC checked) unless a newer backup already wrote it; (2) the parts of the whole copy are fetched in
 * parallel with every other file's parts, writing only the blocks no increment wrote; (3) the file is cut to the
 * newest backup's length, after checking that every block up to it came from somewhere.
 *
 * <p>With {@code reuse} (--delta, or resuming an interrupted restore) a part of a whole copy whose bytes the file
 * already holds is not fetched; for an incremental file this is checked before step 1 changes the file.
 */
final class DataFiles {
    private final BoundRepository repository;
    private final Retrier retrier;
    private final PartFetch fetch;
    private final TargetDirectory dir;
    private final boolean reuse;
    private final Progress progress;
    private final int parallelism;
    private final AtomicLong reused = new AtomicLong();

    /** A file rebuilt from increments: what step 1 wrote, and which parts of its whole copy the file already had. */
    private record Rebuild(FileLayers layers, Path file, int blockSize, BitSet written, Set<StoredPart> kept) {}

    DataFiles(BoundRepository repository, Retrier retrier, TargetDirectory dir, boolean reuse, Progress progress,
            int parallelism) {
        this.repository = repository;
        this.retrier = retrier;
        this.fetch = new PartFetch(repository);
        this.dir = dir;
        this.reuse = reuse;
        this.progress = progress;
        this.parallelism = parallelism;
    }

    /** Bytes not fetched because the target already held them. */
    long reused() {
        return reused.get();
    }

    /** Writes {@code files} (of the chain's newest backup). */
    void write(BackupChain chain, List<FileEntry> files) {
        List<Rebuild> rebuilds = new ArrayList<>();
        List<Callable<Void>> parts = new ArrayList<>();
        for (FileEntry f : files) {
            FileLayers layers = chain.layers(f);
            Path file = dir.resolve(f.path());
            RestoreRun.prepare(file, f, reuse);
            if (layers.whole()) {
                for (StoredPart part : layers.base().entry().parts()) {
                    parts.add(() -> {
                        if (reuse && PartFetch.matches(part, file)) {
                            reused.addAndGet(part.size());
                        } else {
                            retrier.call("fetching " + part.key(), () -> {
                                fetch.toFile(part, file);
                                return null;
                            });
                        }
                        progress.add(part.size());
                        return null;
                    });
                }
            } else {
                rebuilds.add(new Rebuild(layers, file, blockSize(layers), new BitSet(), new HashSet<>()));
            }
        }
        ParallelTasks.run(parallelism, rebuilds.stream().<Callable<Void>>map(r -> () -> {
            applyIncrements(r);
            return null;
        }).toList());
        for (Rebuild r : rebuilds) {
            for (StoredPart part : r.layers().base().entry().parts()) {
                parts.add(() -> {
                    if (r.kept().contains(part)) {
                        reused.addAndGet(part.size());
                    } else {
                        retrier.call("fetching " + part.key(), () -> {
                            fetch.toFileExcept(part, r.file(), r.written(), r.blockSize());
                            return null;
                        });
                    }
                    progress.add(part.size());
                    return null;
                });
            }
        }
        ParallelTasks.run(parallelism, parts);
        for (Rebuild r : rebuilds) {
            finish(r);
        }
    }

    private static int blockSize(FileLayers layers) {
        Integer bs = layers.increments().getFirst().backup().blockSize();
        if (bs == null) {
            throw DataError.integrity("backup " + layers.increments().getFirst().backup().label() + " has incremental "
                    + "files but no block size", "run walstow verify; restore another backup (--set)", null);
        }
        return bs;
    }

    /** Step 1: the increments, newest first, each block written once. */
    private void applyIncrements(Rebuild r) {
        if (reuse) {
            for (StoredPart part : r.layers().base().entry().parts()) {
                if (PartFetch.matches(part, r.file())) {
                    r.kept().add(part);
                }
            }
        }
        long length = r.layers().length();
        try (FileChannel ch = FileChannel.open(r.file(), StandardOpenOption.WRITE)) {
            for (Layer layer : r.layers().increments()) {
                for (StoredPart part : layer.entry().parts()) {
                    retrier.call("fetching " + part.key(), () -> {
                        IncrementalFormat.Sink sink = new IncrementalFormat.Sink(part.key(), (number, block) -> {
                            long at = (number & 0xFFFFFFFFL) * r.blockSize();
                            if (at < length && !r.written().get(number)) {
                                ByteBuffer buf = ByteBuffer.wrap(block, 0, (int) Math.min(block.length, length - at));
                                long pos = at;
                                try {
                                    while (buf.hasRemaining()) {
                                        pos += ch.write(buf, pos);
                                    }
                                } catch (IOException e) {
                                    throw new LocalIoError("cannot write " + r.file() + ": " + Failures.describe(e),
                                            "check free space and permissions of the target directory", e);
                                }
                                r.written().set(number);
                            }
                        });
                        try {
                            fetch.decodeInto(part, sink);
                        } catch (IOException e) {
                            throw dev.walstow.error.RepositoryError.of("reading " + part.key() + " from "
                                    + repository.location(), new dev.walstow.storage.StorageException(
                                            dev.walstow.storage.StorageException.Kind.IO, Failures.describe(e), e));
                        }
                        sink.finish();
                        return null;
                    });
                }
            }
            ch.force(false);
        } catch (IOException e) {
            throw new LocalIoError("cannot write " + r.file() + ": " + Failures.describe(e),
                    "check free space and permissions of the target directory", e);
        }
    }

    /** Step 3: every block up to the file's length came from an increment or the whole copy; cut it there. */
    private void finish(Rebuild r) {
        long length = r.layers().length();
        long base = r.layers().base().entry().size();
        int bs = r.blockSize();
        for (long block = (base + bs - 1) / bs; block * bs < length; block++) {
            if (block > Integer.MAX_VALUE || !r.written().get((int) block)) {
                throw DataError.integrity("no backup of the chain of " + r.layers().increments().getFirst().backup()
                        .label() + " holds block " + block + " of " + r.layers().path() + " (its whole copy in "
                        + r.layers().base().backup().label() + " has " + base + " bytes)",
                        "the chain is damaged; run walstow verify and restore another backup (--set)", null);
            }
        }
        try (FileChannel ch = FileChannel.open(r.file(), StandardOpenOption.WRITE)) {
            if (ch.size() > length) {
                ch.truncate(length);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new LocalIoError("cannot write " + r.file() + ": " + Failures.describe(e),
                    "check free space and permissions of the target directory", e);
        }
        progress.add(Math.max(0, length - base));
    }
}
