package dev.walstow.catalog;

import dev.walstow.error.RepositoryError;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import dev.walstow.error.WalstowException;
import dev.walstow.storage.ListedObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What WAL the repository holds, from one listing of {@code wal/}: segment numbers per timeline and the timelines
 * that have a history file. Maintenance commands only (restore's pre-check, info, verify, expire); archive-get never
 * lists.
 */
public final class WalCatalog {
    /** A run of consecutive segments on one timeline, inclusive. */
    public record Range(TimelineId timeline, long first, long last) {}

    private final WalSegmentSize size;
    private final Map<TimelineId, NavigableSet<Long>> segments;
    private final NavigableSet<TimelineId> histories;
    private final Map<String, String> keys;
    private final Map<String, Instant> stored;

    private WalCatalog(WalSegmentSize size, Map<TimelineId, NavigableSet<Long>> segments,
            NavigableSet<TimelineId> histories, Map<String, String> keys, Map<String, Instant> stored) {
        this.size = size;
        this.segments = segments;
        this.histories = histories;
        this.keys = keys;
        this.stored = stored;
    }

    public static WalCatalog load(Repository repository, WalSegmentSize size) {
        List<ListedObject> listed;
        try {
            listed = repository.store().listWithInfo(RepositoryLayout.WAL_PREFIX);
        } catch (StorageException e) {
            throw RepositoryError.of("listing " + RepositoryLayout.WAL_PREFIX + " in " + repository.location(), e);
        }
        Map<TimelineId, NavigableSet<Long>> segments = new TreeMap<>();
        NavigableSet<TimelineId> histories = new TreeSet<>();
        Map<String, String> keys = new TreeMap<>();
        Map<String, Instant> stored = new HashMap<>();
        for (ListedObject o : listed) {
            String key = o.key();
            WalFileName name;
            try {
                name = WalFileName.parse(key.substring(key.lastIndexOf('/') + 1));
            } catch (WalstowException e) {
                continue; // not walstow's (a stray file): verify reports it, everything else ignores it
            }
            keys.put(name.fileName(), key);
            o.lastModified().ifPresent(t -> stored.put(name.fileName(), t));
            switch (name) {
                case SegmentName s -> segments.computeIfAbsent(s.timeline(), t -> new TreeSet<>())
                        .add(s.segmentNumber(size));
                case HistoryName h -> histories.add(h.timeline());
                default -> { }
            }
        }
        return new WalCatalog(size, segments, histories, keys, stored);
    }

    public WalSegmentSize segmentSize() {
        return size;
    }

    public boolean has(TimelineId timeline, long segment) {
        NavigableSet<Long> s = segments.get(timeline);
        return s != null && s.contains(segment);
    }

    public Optional<Long> newest(TimelineId timeline) {
        NavigableSet<Long> s = segments.get(timeline);
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s.last());
    }

    /** The newest segment of {@code timeline} numbered from {@code lo} to {@code hi}, inclusive. */
    public Optional<Long> newestWithin(TimelineId timeline, long lo, long hi) {
        NavigableSet<Long> s = segments.get(timeline);
        Long n = s == null ? null : s.floor(hi);
        return n == null || n < lo ? Optional.empty() : Optional.of(n);
    }

    /** The oldest segment of {@code timeline} numbered from {@code lo} to {@code hi}, inclusive. */
    public Optional<Long> oldestWithin(TimelineId timeline, long lo, long hi) {
        NavigableSet<Long> s = segments.get(timeline);
        Long n = s == null ? null : s.ceiling(lo);
        return n == null || n > hi ? Optional.empty() : Optional.of(n);
    }

    public NavigableSet<TimelineId> timelines() {
        NavigableSet<TimelineId> all = new TreeSet<>(segments.keySet());
        all.addAll(histories);
        return all;
    }

    public NavigableSet<TimelineId> histories() {
        return Collections.unmodifiableNavigableSet(histories);
    }

    /** The newest segment of the whole repository (highest timeline first, then number). */
    public Optional<SegmentName> newestSegment() {
        for (TimelineId t : new TreeSet<>(segments.keySet()).descendingSet()) {
            Optional<Long> n = newest(t);
            if (n.isPresent()) {
                return Optional.of(SegmentName.of(t, n.get(), size));
            }
        }
        return Optional.empty();
    }

    /** When an archived file was stored, if the store tells (see {@code ObjectStore.listWithInfo}). */
    public Optional<Instant> storedAt(String fileName) {
        return Optional.ofNullable(stored.get(fileName));
    }

    /** The key of an archived file by its name, if archived. */
    public Optional<String> keyOf(String fileName) {
        return Optional.ofNullable(keys.get(fileName));
    }

    public Map<String, String> allKeys() {
        return Collections.unmodifiableMap(keys);
    }

    /** Runs of consecutive segments per timeline; the gaps are what lies between two runs. */
    public List<Range> ranges(TimelineId timeline) {
        List<Range> result = new ArrayList<>();
        NavigableSet<Long> s = segments.getOrDefault(timeline, new TreeSet<>());
        Long first = null;
        Long last = null;
        for (long n : s) {
            if (last != null && n == last + 1) {
                last = n;
                continue;
            }
            if (first != null) {
                result.add(new Range(timeline, first, last));
            }
            first = n;
            last = n;
        }
        if (first != null) {
            result.add(new Range(timeline, first, last));
        }
        return result;
    }

    /**
     * The first segment recovery along {@code history} would miss between segment numbers {@code from} and
     * {@code to} (inclusive). A segment counts as present on any timeline of the path whose stretch touches it:
     * the segment holding a switch point exists on both sides, and PostgreSQL takes whichever it finds.
     *
     * @return the missing segment, named on the newest timeline recovery would ask for, or empty if none is missing
     */
    public Optional<SegmentName> firstMissing(TimelineHistory history, long from, long to) {
        for (long n = from; n <= to; n++) {
            TimelineId asked = null;
            boolean found = false;
            for (TimelineHistory.Step step : history.path()) {
                long begin = step.begin().segmentNumber(size);
                long end = step.end() == null ? Long.MAX_VALUE : step.end().segmentNumber(size);
                if (n >= begin && n <= end) {
                    asked = step.timeline();
                    found |= has(step.timeline(), n);
                }
            }
            if (!found) {
                return Optional.of(SegmentName.of(asked == null ? history.target() : asked, n, size));
            }
        }
        return Optional.empty();
    }

    /** The newest archived segment on the path of {@code history} (each timeline within its stretch), or -1. */
    public long newestOnPath(TimelineHistory history) {
        long newest = -1;
        for (TimelineHistory.Step step : history.path()) {
            long lo = step.begin().segmentNumber(size);
            long hi = step.end() == null ? Long.MAX_VALUE : step.end().segmentNumber(size);
            newest = Math.max(newest, newestWithin(step.timeline(), lo, hi).orElse(-1L));
        }
        return newest;
    }
}
