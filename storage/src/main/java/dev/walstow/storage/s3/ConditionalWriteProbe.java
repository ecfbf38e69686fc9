package dev.walstow.storage.s3;

import dev.walstow.storage.StorageException;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Finds out once per store whether {@code If-None-Match: *} on PUT is honoured: writes a probe object twice with
 * the header. Honoured = the second write is refused with 412. A store that ignores the header would silently
 * overwrite, which is exactly what create-only forbids, so it is tested rather than assumed. The probe lives under
 * {@code prefix/.walstow-probe/}, a name no walstow key can have, and is deleted afterwards. It is written with the
 * repository's server-side encryption and storage class, like every object: a bucket policy that refuses
 * unencrypted uploads must not refuse the probe. The answer is kept in a {@link ConditionalWriteCache} for the
 * processes that follow.
 */
final class ConditionalWriteProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ConditionalWriteProbe.class);

    private final S3AsyncClient client;
    private final S3Settings settings;
    private final ConditionalWriteCache cache;
    private volatile Boolean works;

    ConditionalWriteProbe(S3AsyncClient client, S3Settings settings, ConditionalWriteCache cache) {
        this.client = client;
        this.settings = settings;
        this.cache = cache;
        works = switch (settings.conditionalWrite()) {
            case AUTO -> null;
            case IF_NONE_MATCH -> true;
            case HEAD_CHECK -> false;
        };
    }

    boolean ifNoneMatchWorks() throws StorageException {
        Boolean known = works;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (works != null) {
                return works;
            }
            Optional<Boolean> recalled = cache.recall(settings.location());
            if (recalled.isPresent()) {
                works = recalled.get();
            } else {
                works = probe();
                cache.remember(settings.location(), works);
                if (!works) {
                    LOG.warn("{} ignores If-None-Match on PUT: create-only falls back to HEAD before PUT, which two "
                            + "archivers writing the same segment at once could race (docs/configuration.md)",
                            settings.location());
                }
            }
            return works;
        }
    }

    /**
     * The store answered a conditional write {@code 501 NotImplemented}. In AUTO mode the probe's answer that it
     * honours the header (perhaps another process's, hours ago) is forgotten, so the next put probes again.
     *
     * @return {@code e} with what happens next, to throw
     */
    StorageException refused(StorageException e) {
        if (settings.conditionalWrite() != S3Settings.ConditionalWrite.AUTO) {
            return new StorageException(e.kind(), e.getMessage() + "; the store does not do conditional writes: set "
                    + "repository.conditional-write = \"auto\" or \"head\" (docs/configuration.md)", e);
        }
        synchronized (this) {
            works = null;
            cache.forget(settings.location());
        }
        return new StorageException(e.kind(), e.getMessage() + "; the store refuses If-None-Match, which it was "
                + "found to honour: it is probed again on the next try", e);
    }

    private boolean probe() throws StorageException {
        String key = settings.prefix() + ".walstow-probe/" + UUID.randomUUID();
        try {
            try {
                put(key, true);
            } catch (RuntimeException e) {
                if (!headerRefused(e)) {
                    throw e;
                }
                // Refused: the header, or what came with it (a storage class or KMS key the store rejects)? The
                // same PUT without the header tells; if it fails too, that error is the one to report.
                put(key, false);
                return false;
            }
            try {
                put(key, true);
                return false;
            } catch (RuntimeException e) {
                if (S3Errors.status(e) == 412) {
                    return true;
                }
                if (headerRefused(e)) {
                    return false;
                }
                throw e;
            }
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "probe conditional writes with", key, settings.location());
        } finally {
            try {
                client.deleteObject(b -> b.bucket(settings.bucket()).key(key)).join();
            } catch (RuntimeException e) {
                LOG.debug("could not delete probe object {}: {}", key, e.toString());
            }
        }
    }

    /** NotImplemented, or the header refused as a bad request: the store does not do conditional writes. */
    private static boolean headerRefused(RuntimeException e) {
        int status = S3Errors.status(e);
        return status == 501 || status == 400;
    }

    private void put(String key, boolean conditional) {
        client.putObject(b -> {
            b.bucket(settings.bucket()).key(key).contentLength(0L);
            if (conditional) {
                b.ifNoneMatch("*");
            }
            S3Meta.options(settings, b);
        }, AsyncRequestBody.empty()).join();
    }
}
