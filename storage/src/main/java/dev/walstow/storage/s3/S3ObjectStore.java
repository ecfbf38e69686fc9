package dev.walstow.storage.s3;

import dev.walstow.agent.Failures;
import dev.walstow.storage.ObjectKey;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StorageException.Kind;
import dev.walstow.storage.StoredObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} in an S3 bucket (AWS or any S3-compatible store), through the SDK's async client.
 *
 * <p>Each key is one S3 object {@code prefix + key}; its {@link ObjectMeta} is user metadata
 * ({@code x-amz-meta-walstow-*}, see {@link S3Meta}), written atomically with the object.
 *
 * <ul>
 *   <li>Create-only: {@code If-None-Match: *} on the PUT (or on the multipart completion), so exactly one of several
 *       concurrent writers wins. Stores that ignore the header are detected once by a probe (its answer kept for
 *       the next processes by a {@link ConditionalWriteCache}) and then handled with HEAD before PUT, which leaves
 *       a race between two writers of one key (documented in docs/configuration.md).</li>
 *   <li>Integrity on the wire: every upload carries a CRC32C (or SHA-256) header the store checks before storing;
 *       downloads ask for the stored checksum and the SDK verifies it where the store has one.</li>
 *   <li>"Not there" is only a 404 {@code NoSuchKey} (or a bodiless 404 to HEAD in a bucket known to exist); every
 *       other failure is a {@link StorageException} (see {@link S3Errors}).</li>
 *   <li>Bounded: connect, read, attempt and call timeouts, SDK retries with backoff (see {@link S3Clients}).</li>
 *   <li>Not streamed: {@link #putIfAbsent(String, dev.walstow.storage.ObjectWriter)} is the interface's default,
 *       which HEADs the key and then buffers the whole object in memory before uploading it (an upload states
 *       its length and checksum before its body here); memory per put is one whole object.</li>
 * </ul>
 */
public final class S3ObjectStore implements ObjectStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
    /** Multipart parts in flight for one object; the daemon runs several objects at once on top. */
    private static final int PARALLEL_PARTS = 4;

    private final S3Settings settings;
    private final SdkAsyncHttpClient http;
    private final S3AsyncClient client;
    private final S3Multipart multipart;
    private final ConditionalWriteProbe probe;
    private final AtomicBoolean bucketSeen = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private S3ObjectStore(S3Settings settings, SdkAsyncHttpClient http, ConditionalWriteCache cache)
            throws StorageException {
        this.settings = settings;
        this.http = http;
        try {
            this.client = S3Clients.client(settings, http);
        } catch (StorageException | RuntimeException e) {
            http.close();
            throw e;
        }
        this.multipart = new S3Multipart(client, settings, PARALLEL_PARTS);
        this.probe = new ConditionalWriteProbe(client, settings, cache);
    }

    /** A store with the Netty HTTP client. Reads a static secret key file now, so a bad one fails at start-up. */
    public static S3ObjectStore open(S3Settings settings) throws StorageException {
        return open(settings, ConditionalWriteCache.none());
    }

    /** As {@link #open(S3Settings)}, taking the conditional-write probe's answer from {@code cache} if it has one. */
    public static S3ObjectStore open(S3Settings settings, ConditionalWriteCache cache) throws StorageException {
        return new S3ObjectStore(settings, S3Clients.netty(settings), cache);
    }

    /** A store on the given HTTP client (measurements compare Netty with CRT); the store closes it. */
    public static S3ObjectStore open(S3Settings settings, SdkAsyncHttpClient http) throws StorageException {
        return new S3ObjectStore(settings, http, ConditionalWriteCache.none());
    }

    @Override
    public String location() {
        return settings.location();
    }

    @Override
    public PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException {
        ObjectKey.validate(key);
        long size;
        try {
            size = Files.size(content);
        } catch (IOException e) {
            throw new StorageException(Kind.IO, "put " + key + " in " + location() + ": cannot read " + content
                    + ": " + Failures.describe(e), e);
        }
        return put(key, new UploadSource.File(content, size), meta);
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException {
        ObjectKey.validate(key);
        return put(key, new UploadSource.Bytes(content), meta);
    }

    private PutResult put(String key, UploadSource source, ObjectMeta meta) throws StorageException {
        boolean atomic = probe.ifNoneMatchWorks();
        if (!atomic) {
            Optional<ObjectMeta> existing = head(key);
            if (existing.isPresent()) {
                return new PutResult.Exists(existing.get());
            }
        }
        String fullKey = settings.prefix() + key;
        try {
            if (source.size() >= settings.multipartThreshold()) {
                multipart.upload(fullKey, source, S3Meta.toHeaders(meta), atomic, b -> {
                    S3Meta.options(settings, b);
                    return b;
                });
            } else {
                putSingle(fullKey, source, meta, atomic);
            }
            bucketSeen.set(true);
            return new PutResult.Created();
        } catch (S3Multipart.KeyTaken taken) {
            return existing(key);
        } catch (StorageException e) {
            if (atomic && S3Errors.status(e.getCause()) == 501) {
                throw probe.refused(e);
            }
            throw e;
        }
    }

    private void putSingle(String fullKey, UploadSource source, ObjectMeta meta, boolean atomic)
            throws StorageException, S3Multipart.KeyTaken {
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(settings.bucket()).key(fullKey)
                .contentLength(source.size()).metadata(S3Meta.toHeaders(meta));
        S3Meta.options(settings, req);
        try {
            String sum = source.checksum(settings.checksum(), 0, source.size());
            if (settings.checksum() == S3Settings.Checksum.CRC32C) {
                req.checksumCRC32C(sum);
            } else {
                req.checksumSHA256(sum);
            }
        } catch (IOException e) {
            throw new StorageException(Kind.IO, "put " + fullKey + ": cannot read the content: "
                    + Failures.describe(e), e);
        }
        if (atomic) {
            req.ifNoneMatch("*");
        }
        try {
            client.putObject(req.build(), source.body(0, source.size())).join();
        } catch (RuntimeException e) {
            if (atomic && S3Errors.status(e) == 412) {
                throw new S3Multipart.KeyTaken(e);
            }
            throw S3Errors.map(e, "put", fullKey, location());
        }
    }

    /** The key was taken by someone else: report what is there now. */
    private PutResult existing(String key) throws StorageException {
        Optional<ObjectMeta> existing = head(key);
        if (existing.isEmpty()) {
            // Taken, then deleted before we looked: only maintenance deletes, so say "try again" rather than guess.
            throw new StorageException(Kind.UNAVAILABLE, "put " + key + " in " + location()
                    + ": the key was taken and then deleted while storing; retry");
        }
        return new PutResult.Exists(existing.get());
    }

    @Override
    public Optional<ObjectMeta> head(String key) throws StorageException {
        ObjectKey.validate(key);
        String fullKey = settings.prefix() + key;
        HeadObjectResponse res;
        try {
            res = client.headObject(b -> b.bucket(settings.bucket()).key(fullKey)).join();
        } catch (RuntimeException e) {
            if (S3Errors.status(e) == 404 && bucketExists()) {
                return Optional.empty();
            }
            throw S3Errors.map(e, "head", key, location());
        }
        bucketSeen.set(true);
        return Optional.of(S3Meta.fromHeaders(res.metadata(), key, location()));
    }

    /**
     * A 404 to HEAD has no body, so it cannot say whether the key or the whole bucket is missing. A missing bucket
     * must never read as "not archived", so it is checked once per store (a bucket is not deleted under a running
     * archiver; if it is, every put fails loudly).
     */
    private boolean bucketExists() throws StorageException {
        if (bucketSeen.get()) {
            return true;
        }
        try {
            client.headBucket(b -> b.bucket(settings.bucket())).join();
            bucketSeen.set(true);
            return true;
        } catch (RuntimeException e) {
            StorageException mapped = S3Errors.map(e, "check bucket", null, location());
            if (S3Errors.status(e) == 404) {
                throw new StorageException(Kind.PERMISSION_DENIED, "bucket " + settings.bucket()
                        + " does not exist at " + location() + "; check repository.bucket and repository.region", e);
            }
            throw mapped;
        }
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        ObjectKey.validate(key);
        String fullKey = settings.prefix() + key;
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = client.getObject(b -> b.bucket(settings.bucket()).key(fullKey).checksumMode(ChecksumMode.ENABLED),
                    AsyncResponseTransformer.toBlockingInputStream()).join();
        } catch (RuntimeException e) {
            if (S3Errors.status(e) == 404 && S3Errors.code(e).equals("NoSuchKey")) {
                bucketSeen.set(true);
                return Optional.empty();
            }
            if (S3Errors.status(e) == 404 && S3Errors.code(e).isEmpty() && bucketExists()) {
                return Optional.empty();
            }
            throw S3Errors.map(e, "get", key, location());
        }
        bucketSeen.set(true);
        GetObjectResponse res = in.response();
        ObjectMeta meta;
        try {
            meta = S3Meta.fromHeaders(res.metadata(), key, location());
        } catch (StorageException e) {
            in.abort();
            throw e;
        }
        return Optional.of(new StoredObject(meta, res.contentLength(), new S3InputStream(in, key, location())));
    }

    @Override
    public List<String> list(String prefix) throws StorageException {
        return listWithInfo(prefix).stream().map(dev.walstow.storage.ListedObject::key).toList();
    }

    /** Each key with the Last-Modified that ListObjectsV2 returns anyway (no request per key). */
    @Override
    public List<dev.walstow.storage.ListedObject> listWithInfo(String prefix) throws StorageException {
        if (!couldPrefixAKey(prefix)) {
            // Not only an optimisation: some stores normalise "a/../" in a prefix and would list outside it.
            return List.of();
        }
        String full = settings.prefix() + prefix;
        List<dev.walstow.storage.ListedObject> keys = new ArrayList<>();
        String token = null;
        // Bounded: 1000 keys a page; 100 000 pages = 10^8 keys, far beyond any WAL archive.
        for (int page = 0; page < 100_000; page++) {
            String t = token;
            ListObjectsV2Response res;
            try {
                res = client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(full).continuationToken(t)).join();
            } catch (RuntimeException e) {
                throw S3Errors.map(e, "list", prefix, location());
            }
            for (S3Object o : res.contents()) {
                String key = o.key().substring(settings.prefix().length());
                if (isObjectKey(key)) {
                    keys.add(new dev.walstow.storage.ListedObject(key, Optional.ofNullable(o.lastModified())));
                }
            }
            if (!Boolean.TRUE.equals(res.isTruncated())) {
                break;
            }
            token = res.nextContinuationToken();
        }
        // S3 sorts by UTF-8 bytes; the contract says String order (the same for valid keys)
        keys.sort(java.util.Comparator.comparing(dev.walstow.storage.ListedObject::key));
        return keys;
    }

    private static final java.util.regex.Pattern COMPONENT = java.util.regex.Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

    /** Whether some valid key could start with {@code prefix} (see {@link ObjectKey}). */
    static boolean couldPrefixAKey(String prefix) {
        if (prefix.isEmpty()) {
            return true;
        }
        String[] parts = prefix.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            if (!(last && parts[i].isEmpty()) && !COMPONENT.matcher(parts[i]).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Skips the probe's objects and anything foreign in the bucket that no walstow key could name. */
    private static boolean isObjectKey(String key) {
        try {
            ObjectKey.validate(key);
            return true;
        } catch (StorageException e) {
            return false;
        }
    }

    /** S3's DELETE answers 204 whether or not the key existed, so a HEAD first tells which (maintenance only). */
    @Override
    public boolean delete(String key) throws StorageException {
        ObjectKey.validate(key);
        if (head(key).isEmpty()) {
            return false;
        }
        try {
            client.deleteObject(b -> b.bucket(settings.bucket()).key(settings.prefix() + key)).join();
            return true;
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "delete", key, location());
        }
    }

    /**
     * Aborts multipart uploads under this repository's prefix that were started more than {@code olderThan} ago:
     * what a crash in the middle of a large upload leaves (invisible, but billed). Keep {@code olderThan} well
     * above the longest upload, so a running one is never cut. Uploads outside the prefix are not ours.
     */
    @Override
    public long cleanAbandonedUploads(Duration olderThan, boolean dryRun) throws StorageException {
        int n = multipart.abortStale(olderThan, Instant.now(), dryRun);
        if (n > 0 && !dryRun) {
            LOG.info("aborted {} stale multipart upload(s) in {}", n, location());
        }
        return n;
    }

    /** Whether puts use {@code If-None-Match: *} (probing the store on the first call in AUTO mode). */
    public boolean atomicCreate() throws StorageException {
        return probe.ifNoneMatchWorks();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
            http.close();
        }
    }
}
