package dev.walstow.repo;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How far the lock's holder has come, as its heartbeat publishes it for {@code walstow info}: files (a backup's
 * data directory files) and bytes done out of the totals known so far (zero before they are known).
 */
public record LockProgress(
        @JsonProperty("files-done") long filesDone,
        @JsonProperty("files-total") long filesTotal,
        @JsonProperty("bytes-done") long bytesDone,
        @JsonProperty("bytes-total") long bytesTotal) {

    /** {@code 120 of 1,843 files, 1,024 of 2,048 MiB}, or that the totals are not known yet. */
    public String text() {
        if (filesTotal == 0 && bytesTotal == 0) {
            return "starting (reading the data directory)";
        }
        return String.format("%,d of %,d files, %,d of %,d MiB", filesDone, filesTotal, bytesDone >> 20,
                bytesTotal >> 20);
    }
}
