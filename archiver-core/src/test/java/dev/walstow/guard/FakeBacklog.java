package dev.walstow.guard;

import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** pg_wal in memory: segments with mtimes, some marked .ready; {@link #archive} plays PostgreSQL's .done rename. */
final class FakeBacklog implements WalBacklog {
    final Map<String, Instant> mtimes = new HashMap<>();
    final TreeMap<Long, Instant> ready = new TreeMap<>();

    /** Segment {@code n} completed at {@code at}: PostgreSQL writes its .ready file. */
    void completed(long n, Instant at) {
        mtimes.put(name(n), at);
        ready.put(n, at);
    }

    void archive(long n) {
        ready.remove(n);
    }

    static String name(long n) {
        return SegmentName.of(new TimelineId(1), n, FakeSql.SIZE).fileName();
    }

    @Override
    public Snapshot snapshot() {
        if (ready.isEmpty()) {
            return Snapshot.EMPTY;
        }
        long oldest = ready.firstKey();
        return new Snapshot(ready.size(), ready.size() * (long) FakeSql.SIZE.bytes(),
                Optional.of(SegmentName.of(new TimelineId(1), oldest, FakeSql.SIZE)),
                Optional.of(ready.firstEntry().getValue()), Optional.of(name(oldest)));
    }

    @Override
    public Optional<Instant> mtime(String walFileName) {
        return Optional.ofNullable(mtimes.get(walFileName));
    }
}
