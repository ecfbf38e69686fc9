package dev.walstow.storage.s3;

import dev.walstow.storage.StorageException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Multipart uploads: parts sent in parallel (bounded by a semaphore, so a 1 TiB base backup never has more than
 * {@code parallelParts} parts in memory or in flight), completed with {@code If-None-Match: *} when create-only is
 * atomic, and aborted on any failure so no invisible, billed parts are left behind. Uploads orphaned by a crash are
 * found and aborted by {@link #abortStale}.
 */
final class S3Multipart {
    private static final Logger LOG = LoggerFactory.getLogger(S3Multipart.class);

    /** A conditional completion that lost: the key was taken while the parts were uploading. */
    static final class KeyTaken extends Exception {
        KeyTaken(Throwable cause) {
            super(cause);
        }
    }

    private final S3AsyncClient client;
    private final S3Settings settings;
    private final int parallelParts;

    S3Multipart(S3AsyncClient client, S3Settings settings, int parallelParts) {
        this.client = client;
        this.settings = settings;
        this.parallelParts = parallelParts;
    }

    /**
     * Uploads {@code source} to {@code fullKey} in parts.
     *
     * @param conditional complete with {@code If-None-Match: *}
     * @throws KeyTaken if the conditional completion found the key taken (the upload has been aborted)
     */
    void upload(String fullKey, UploadSource source, Map<String, String> metadata, boolean conditional,
            UnaryOperator<CreateMultipartUploadRequest.Builder> options) throws StorageException, KeyTaken {
        String location = settings.location();
        String uploadId;
        try {
            uploadId = client.createMultipartUpload(options.apply(CreateMultipartUploadRequest.builder()
                    .bucket(settings.bucket()).key(fullKey).metadata(metadata)
                    .checksumAlgorithm(algorithm())).build()).join().uploadId();
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "start multipart upload of", fullKey, location);
        }
        try {
            List<CompletedPart> parts = uploadParts(fullKey, uploadId, source);
            CompleteMultipartUploadRequest.Builder complete = CompleteMultipartUploadRequest.builder()
                    .bucket(settings.bucket()).key(fullKey).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
            if (conditional) {
                complete.ifNoneMatch("*");
            }
            try {
                client.completeMultipartUpload(complete.build()).join();
            } catch (RuntimeException e) {
                if (S3Errors.status(e) == 412) {
                    throw new KeyTaken(e);
                }
                throw S3Errors.map(e, "complete multipart upload of", fullKey, location);
            }
        } catch (StorageException | KeyTaken | RuntimeException e) {
            abort(fullKey, uploadId);
            throw e;
        }
    }

    private List<CompletedPart> uploadParts(String fullKey, String uploadId, UploadSource source)
            throws StorageException {
        long partSize = settings.partSize();
        int count = (int) Math.max(1, (source.size() + partSize - 1) / partSize);
        Semaphore inFlight = new Semaphore(parallelParts);
        List<CompletableFuture<CompletedPart>> futures = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                int number = i + 1;
                long position = i * partSize;
                long length = Math.min(partSize, source.size() - position);
                inFlight.acquire();
                if (futures.stream().anyMatch(CompletableFuture::isCompletedExceptionally)) {
                    inFlight.release();
                    break; // one part failed for good: do not send the rest, the upload is aborted anyway
                }
                String sum = source.checksum(settings.checksum(), position, length);
                UploadPartRequest.Builder part = UploadPartRequest.builder().bucket(settings.bucket()).key(fullKey)
                        .uploadId(uploadId).partNumber(number).contentLength(length);
                setChecksum(part, sum);
                futures.add(client.uploadPart(part.build(), source.body(position, length))
                        .whenComplete((r, e) -> inFlight.release())
                        .thenApply(r -> completed(number, r.eTag(), sum)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            throw new StorageException(StorageException.Kind.UNAVAILABLE, "upload of " + fullKey + " interrupted");
        } catch (IOException e) {
            throw S3Errors.map(e, "read part for", fullKey, settings.location());
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "upload part of", fullKey, settings.location());
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private ChecksumAlgorithm algorithm() {
        return settings.checksum() == S3Settings.Checksum.CRC32C ? ChecksumAlgorithm.CRC32_C : ChecksumAlgorithm.SHA256;
    }

    private void setChecksum(UploadPartRequest.Builder part, String sum) {
        if (settings.checksum() == S3Settings.Checksum.CRC32C) {
            part.checksumCRC32C(sum);
        } else {
            part.checksumSHA256(sum);
        }
    }

    private CompletedPart completed(int number, String eTag, String sum) {
        CompletedPart.Builder b = CompletedPart.builder().partNumber(number).eTag(eTag);
        return (settings.checksum() == S3Settings.Checksum.CRC32C ? b.checksumCRC32C(sum) : b.checksumSHA256(sum))
                .build();
    }

    /** Best effort: a failed abort leaves the upload to {@link #abortStale} (walstow expire) or a lifecycle rule. */
    void abort(String fullKey, String uploadId) {
        try {
            client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(fullKey).uploadId(uploadId)).join();
        } catch (RuntimeException e) {
            LOG.warn("could not abort multipart upload {} of {} in {}: {} (walstow expire aborts it later)",
                    uploadId, fullKey, settings.location(), S3Errors.unwrap(e).toString());
        }
    }

    /**
     * Aborts every multipart upload under the repository prefix started more than {@code olderThan} ago.
     *
     * @param dryRun count them, abort nothing
     * @return how many were aborted (or, with {@code dryRun}, would be)
     */
    int abortStale(Duration olderThan, Instant now, boolean dryRun) throws StorageException {
        Instant cutoff = now.minus(olderThan);
        int aborted = 0;
        String keyMarker = null;
        String uploadIdMarker = null;
        // Bounded: S3 returns at most 1000 uploads a page; 10 000 pages is far beyond any real backlog.
        for (int page = 0; page < 10_000; page++) {
            ListMultipartUploadsRequest.Builder req = ListMultipartUploadsRequest.builder()
                    .bucket(settings.bucket()).prefix(settings.prefix()).keyMarker(keyMarker)
                    .uploadIdMarker(uploadIdMarker);
            ListMultipartUploadsResponse res;
            try {
                res = client.listMultipartUploads(req.build()).join();
            } catch (RuntimeException e) {
                throw S3Errors.map(e, "list multipart uploads", null, settings.location());
            }
            for (MultipartUpload upload : res.uploads()) {
                if (upload.initiated() != null && upload.initiated().isBefore(cutoff)) {
                    if (dryRun) {
                        aborted++;
                        continue;
                    }
                    try {
                        client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(upload.key())
                                .uploadId(upload.uploadId())).join();
                        aborted++;
                    } catch (RuntimeException e) {
                        if (S3Errors.status(e) != 404) { // NoSuchUpload: finished or aborted meanwhile
                            throw S3Errors.map(e, "abort multipart upload of", upload.key(), settings.location());
                        }
                    }
                }
            }
            if (!Boolean.TRUE.equals(res.isTruncated())) {
                break;
            }
            keyMarker = res.nextKeyMarker();
            uploadIdMarker = res.nextUploadIdMarker();
        }
        return aborted;
    }
}
