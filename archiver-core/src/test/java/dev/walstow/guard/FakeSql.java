package dev.walstow.guard;

import dev.walstow.error.RepositoryError;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.util.Optional;

/** A server in memory: a write position that tests move, pg_switch_wal that jumps to the next segment. */
final class FakeSql implements GuardSql {
    static final WalSegmentSize SIZE = WalSegmentSize.ofMegabytes(1);

    long lsn;
    boolean inRecovery;
    boolean down;
    boolean maySwitch = true;
    int switches;

    FakeSql(long lsn) {
        this.lsn = lsn;
    }

    void write(long bytes) {
        lsn += bytes;
    }

    long segment() {
        return lsn / SIZE.bytes();
    }

    @Override
    public Position position() {
        failIfDown();
        return new Position(inRecovery, inRecovery ? Optional.empty() : Optional.of(new Lsn(lsn)),
                new TimelineId(1), SIZE);
    }

    @Override
    public Lsn switchWal() {
        failIfDown();
        if (!maySwitch) {
            throw new RepositoryError("permission denied for function pg_switch_wal", "grant it", false, null);
        }
        switches++;
        if (lsn % SIZE.bytes() != 0) {
            lsn = (lsn / SIZE.bytes() + 1) * SIZE.bytes();
        }
        return new Lsn(lsn);
    }

    @Override
    public void writeMarker() {
        write(64);
    }

    @Override
    public Settings settings() {
        return new Settings("on", 0, "walstow archive-push %p", "", "replica", inRecovery, maySwitch, 1L);
    }

    @Override
    public String walFileName(Lsn endOfSegment) {
        return String.format("00000001%08X%08X", 0, (endOfSegment.value() - 1) / SIZE.bytes());
    }

    @Override
    public Archiver archiver() {
        failIfDown();
        return new Archiver(0, Optional.empty(), 0, Optional.empty());
    }

    @Override
    public Optional<java.nio.file.Path> dataDirectory() {
        failIfDown();
        return Optional.empty();
    }

    @Override
    public void close() {}

    private void failIfDown() {
        if (down) {
            throw new RepositoryError("cannot connect to PostgreSQL", "start it", true, null);
        }
    }
}
