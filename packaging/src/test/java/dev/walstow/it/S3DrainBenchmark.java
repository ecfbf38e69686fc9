package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.storage.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not part of the test suite (no *IT name; run by benchmarks/scripts/s3-drain-bench.sh): the time the
 * daemon takes to drain a backlog of 96 real 16 MiB segments that piled up in pg_wal while archiving was off,
 * into S3 (s3proxy on loopback, on disk) versus into a posix repository on the same disk, with OpenPGP + zstd -1,
 * at push-concurrency 2 and 4 (the default is 3). Prints one line per run.
 */
class S3DrainBenchmark {
    private static final int SEGMENTS = 96;
    private static final Duration DRAIN = Duration.ofMinutes(10);

    @Test
    @DisplayName("drain of a 96-segment backlog: S3 versus posix")
    void drain() throws Exception {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        int reps = Integer.getInteger("walstow.bench.reps", 2);
        List<String> lines = new ArrayList<>();
        List<String> backends = List.of(System.getProperty("walstow.bench.backends", "posix,s3,pgbackrest").split(","));
        Path s3base = TestDirs.base("drain-s3proxy");
        Path keyStore = s3base.resolve("s3proxy.p12");
        String password = java.util.UUID.randomUUID().toString();
        // pgBackRest speaks S3 only over TLS: a self-signed certificate for 127.0.0.1 (verification off there).
        Proc.run(null, java.util.Map.of(), 120, List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", "s3proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore",
                keyStore.toString(), "-storepass", password, "-keypass", password)).ok();
        try (S3ProxyServer s3 = S3ProxyServer.startWithTls(Files.createDirectories(s3base.resolve("data")), keyStore,
                password)) {
            s3.createBucket("drain");
            for (int rep = 1; rep <= reps; rep++) {
                for (int concurrency : new int[] {2, 4}) {
                    for (String backend : backends) {
                        lines.add(run(backend, concurrency, rep, s3));
                        System.out.println("DRAIN " + lines.getLast());
                    }
                }
            }
        } finally {
            TestDirs.deleteTree(s3base);
        }
        assertThat(lines).hasSize(reps * 2 * backends.size());
    }

    private String run(String backend, int concurrency, int rep, S3ProxyServer s3) throws Exception {
        Path base = TestDirs.base("drain-" + backend);
        PgCluster pg = PgCluster.initdb(base.resolve("pg"), WalstowDist.ENV);
        try (pg) {
            TestDirs.createOwned(base.resolve("var"));
            WalstowDist walstow = WalstowDist.withKeys(base, base.resolve("var/repo"), pg.data);
            String daemon = "[daemon]\npush-concurrency = " + concurrency + "\n";
            if (backend.equals("s3")) {
                walstow.useS3("drain", "run-" + backend + concurrency + "-" + rep + "-" + System.nanoTime(),
                        s3.endpoint(), s3.accessKey(), s3.secretKey(), "", daemon);
            } else {
                WalstowDist.write(walstow.config, Files.readString(walstow.config) + "\n" + daemon);
            }
            if (!backend.equals("pgbackrest")) {
                walstow.run(null, "init").ok();
            }
            // Archiving off (a command that fails) while the backlog is made; checkpoints cannot recycle .ready WAL.
            pg.configure("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'",
                    "max_wal_size = 4GB", "checkpoint_timeout = 30min");
            pg.start();
            String archiveCommand = backend.equals("pgbackrest") ? pgBackRest(base, pg, s3, concurrency, rep)
                    : walstow.archiveCommand();
            pg.sql("CREATE TABLE t (id bigserial, payload text)");
            Path status = pg.data.resolve("pg_wal/archive_status");
            for (int i = 0; i < 400 && ready(status) < SEGMENTS; i++) {
                // ~8 MiB of WAL per statement; md5 text compresses about 2x, like the OLTP part of real WAL.
                pg.sql("INSERT INTO t (payload) SELECT repeat(md5(random()::text), 8) FROM generate_series(1, 25000)");
            }
            String last = pg.sql("SELECT pg_walfile_name(pg_switch_wal())");
            long backlog = ready(status);
            long start = System.nanoTime();
            WalstowDaemon d = backend.equals("pgbackrest") ? null : WalstowDaemon.start(walstow, pg.data);
            try {
                pg.sql("ALTER SYSTEM SET archive_command = '" + archiveCommand + "'");
                pg.sql("SELECT pg_reload_conf()");
                pg.awaitSql("SELECT coalesce(last_archived_wal >= '" + last + "', false) FROM pg_stat_archiver", "t",
                        DRAIN);
                long ms = (System.nanoTime() - start) / 1_000_000;
                return "%s push-concurrency=%d rep=%d backlog=%d segments drained in %d ms (%.0f MB/s of WAL)"
                        .formatted(backend, concurrency, rep, backlog, ms, backlog * 16.777216 / (ms / 1000.0));
            } finally {
                pg.stop();
                if (d != null) {
                    d.stop();
                }
            }
        } finally {
            TestDirs.deleteTree(base);
        }
    }

    /**
     * pgBackRest into the same s3proxy over TLS, configured like walstow: zstd level 1, AES-256 repository
     * encryption, asynchronous archiving with {@code concurrency} processes (process-max). Returns its
     * archive_command. The stanza is created against the running cluster.
     */
    private static String pgBackRest(Path base, PgCluster pg, S3ProxyServer s3, int concurrency, int rep) {
        Path dir = base.resolve("pgbr");
        TestDirs.createOwned(dir);
        Path conf = dir.resolve("pgbackrest.conf");
        WalstowDist.write(conf, """
                [global]
                repo1-type=s3
                repo1-s3-bucket=drain
                repo1-s3-endpoint=127.0.0.1
                repo1-storage-port=%d
                repo1-s3-region=us-east-1
                repo1-s3-key=%s
                repo1-s3-key-secret=%s
                repo1-s3-uri-style=path
                repo1-storage-verify-tls=n
                repo1-path=/pgbackrest-%d-%d-%d
                repo1-cipher-type=aes-256-cbc
                repo1-cipher-pass=%s
                compress-type=zst
                compress-level=1
                archive-async=y
                process-max=%d
                spool-path=%s
                lock-path=%s
                log-path=%s
                log-level-console=warn
                log-level-file=info

                [bench]
                pg1-path=%s
                pg1-socket-path=%s
                pg1-port=%d
                pg1-user=postgres
                """.formatted(s3.securePort(), s3.accessKey(), s3.secretKey(), concurrency, rep, System.nanoTime(),
                java.util.UUID.randomUUID(), concurrency, dir.resolve("spool"), dir.resolve("lock"),
                dir.resolve("log"), pg.data, pg.socketDir, pg.port));
        Proc.asPostgres(null, WalstowDist.ENV, 120, "pgbackrest", "--config=" + conf, "--stanza=bench",
                "stanza-create").ok();
        return "pgbackrest --config=" + conf + " --stanza=bench archive-push %p";
    }

    private static long ready(Path status) throws Exception {
        try (Stream<Path> files = Files.list(status)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".ready")).count();
        }
    }
}
