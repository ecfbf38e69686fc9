package dev.walstow.storage.s3;

import dev.walstow.storage.StorageException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Finds out once per store whether {@code If-None-Match: *} on PUT is honoured: writes a probe object twice with
 * the header. Honoured = the second write is refused with 412. A store that ignores the header would silently
 * overwrite, which is exactly what create-only forbids, so it is tested rather than assumed. The probe lives under
 * {@code prefix/.walstow-probe/}, a name no walstow key can have, and is deleted afterwards.
 */
final class ConditionalWriteProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ConditionalWriteProbe.class);

    private final S3AsyncClient client;
    private final S3Settings settings;
    private volatile Boolean works;

    ConditionalWriteProbe(S3AsyncClient client, S3Settings settings) {
        this.client = client;
        this.settings = settings;
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
            if (works == null) {
                works = probe();
                if (!works) {
                    LOG.warn("{} ignores If-None-Match on PUT: create-only falls back to HEAD before PUT, which two "
                            + "archivers writing the same segment at once could race (docs/configuration.md)",
                            settings.location());
                }
            }
            return works;
        }
    }

    private boolean probe() throws StorageException {
        String key = settings.prefix() + ".walstow-probe/" + UUID.randomUUID();
        try {
            put(key);
            try {
                put(key);
                return false;
            } catch (RuntimeException e) {
                int status = S3Errors.status(e);
                if (status == 412) {
                    return true;
                }
                if (status == 501 || status == 400) {
                    return false; // NotImplemented / header refused: the store does not do conditional writes
                }
                throw S3Errors.map(e, "probe conditional writes with", key, settings.location());
            }
        } catch (RuntimeException e) {
            int status = S3Errors.status(e);
            if (status == 501 || status == 400) {
                return false;
            }
            throw S3Errors.map(e, "probe conditional writes with", key, settings.location());
        } finally {
            try {
                client.deleteObject(b -> b.bucket(settings.bucket()).key(key)).join();
            } catch (RuntimeException e) {
                LOG.debug("could not delete probe object {}: {}", key, e.toString());
            }
        }
    }

    private void put(String key) {
        client.putObject(b -> b.bucket(settings.bucket()).key(key).ifNoneMatch("*").contentLength(0L),
                AsyncRequestBody.empty()).join();
    }
}
