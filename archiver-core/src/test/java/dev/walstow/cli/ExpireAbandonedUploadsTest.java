package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.s3.S3ObjectStore;
import dev.walstow.storage.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** {@code walstow expire} on an S3 repository (s3proxy on loopback) aborts multipart uploads a crash left behind. */
class ExpireAbandonedUploadsTest {
    private static final String BUCKET = "expire";
    private static final String PREFIX = "db1/";

    @TempDir
    static Path base;

    static S3ProxyServer server;
    static S3AsyncClient admin;
    static Path config;

    @BeforeAll
    static void repository() throws Exception {
        server = S3ProxyServer.start(Files.createDirectories(base.resolve("s3")));
        server.createBucket(BUCKET);
        admin = server.admin();
        config = Files.writeString(base.resolve("walstow.toml"), server.repositoryTable(BUCKET, PREFIX,
                server.endpoint(), base.resolve("s3.secret")) + """
                [encryption]
                enabled = false
                [backup]
                retention-full = 1
                [retry]
                attempts = 1
                """);
        // expire reads the segment size from the binding that 'walstow init' writes.
        try (Repository repo = new Repository(S3ObjectStore.open(server.settings(BUCKET, PREFIX)))) {
            assertThat(repo.writeBinding(new RepositoryBinding(RepositoryBinding.FORMAT, "7301", 15, 16 << 20,
                    "2026-01-01T00:00:00Z", "test"))).isEqualTo(new PutResult.Created());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        server.close();
    }

    private static String startUpload(String key) {
        return admin.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).join().uploadId();
    }

    private static List<String> uploads(String prefix) {
        return admin.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).join().uploads().stream()
                .map(MultipartUpload::key).toList();
    }

    @Test
    @DisplayName("expire aborts a multipart upload abandoned longer than --abandoned-upload-age ago and leaves a "
            + "recent one and uploads outside the prefix; --dry-run only reports")
    void abortsAbandonedUploads() throws Exception {
        startUpload(PREFIX + "backup/20260101T000000Z/data/000001.0001");
        startUpload("elsewhere/backup/20260101T000000Z/data/000001.0001");
        Thread.sleep(6500); // older than the 6 s age below, with S3's one-second resolution of times

        Cli dry = Cli.run("--config", config.toString(), "expire", "--abandoned-upload-age", "6s", "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("nothing to delete", "would remove 1 abandoned upload(s) started more than 6s ago");
        assertThat(uploads(PREFIX)).as("after the dry run").hasSize(1);

        startUpload(PREFIX + "backup/20260102T000000Z/data/000002.0001");
        Cli run = Cli.run("--config", config.toString(), "expire", "--abandoned-upload-age", "6s");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("expire: removed 1 abandoned upload(s) started more than 6s ago");
        assertThat(uploads(PREFIX)).containsExactly(PREFIX + "backup/20260102T000000Z/data/000002.0001");
        assertThat(uploads("elsewhere/")).as("not this repository's").hasSize(1);

        Cli zero = Cli.run("--config", config.toString(), "expire", "--abandoned-upload-age", "0s");
        assertThat(zero.exit()).as(zero.toString()).isNotZero();
        assertThat(zero.err()).contains("--abandoned-upload-age 0s would cut uploads in progress", "HINT:");
    }
}
