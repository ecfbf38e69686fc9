package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the built .deb and tarball carry besides the program, read with {@code dpkg-deb} and {@code tar} (no
 * installation, no root): its file name, the control fields, Debian's copyright and changelog files, the systemd
 * units, and the LICENSE. {@link DebPackageIT} installs the same package.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebContentsIT {
    private static final Path DOC = Path.of("usr/share/doc/walstow");

    private Path packages;
    private Path deb;
    private Path unpacked;
    private String version;

    @BeforeAll
    void unpack() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "no dpkg-deb");
        packages = Path.of(System.getProperty("walstow.packages"));
        try (Stream<Path> s = Files.list(packages)) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().endsWith(".deb")).toList();
            assertThat(debs).as("the .deb built by mvn package in %s", packages).hasSize(1);
            deb = debs.getFirst();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        version = field("Version");
        unpacked = TestDirs.base("deb-contents");
        Proc.run(null, Map.of(), 120, List.of("dpkg-deb", "-x", deb.toString(), unpacked.toString())).ok();
    }

    @AfterAll
    void cleanUp() {
        TestDirs.deleteTree(unpacked);
    }

    @Test
    @DisplayName("the file is walstow_<Version>_amd64.deb, the version being Maven's with ~ for - (0.1.0~SNAPSHOT)")
    void fileNameIsVersion() {
        String mavenVersion = System.getProperty("walstow.version");
        assertThat(version).isEqualTo(mavenVersion.replace("-SNAPSHOT", "~SNAPSHOT"));
        assertThat(deb.getFileName().toString()).isEqualTo("walstow_" + version + "_amd64.deb");
        assertThat(packages.resolve("walstow-" + mavenVersion + ".tar.gz")).isRegularFile();
    }

    @Test
    @DisplayName("the maintainer is a real address, not localhost")
    void maintainer() {
        assertThat(field("Maintainer")).matches("[^<>]+ <[^@<>\\s]+@[^@<>\\s]+\\.[a-z]+>")
                .doesNotContain("localhost");
    }

    @Test
    @DisplayName("/usr/share/doc/walstow/copyright is machine-readable (format 1.0), Apache-2.0 for walstow, and names "
            + "the licence of every bundled third-party jar")
    void copyright() throws IOException {
        String text = Files.readString(unpacked.resolve(DOC.resolve("copyright")));
        assertThat(text).startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
                .contains("\nFiles: *\nCopyright: ", "\nLicense: Apache-2.0\n",
                        "/usr/share/common-licenses/Apache-2.0");
        Map<String, String> licenceByPattern = filesStanzas(text);
        List<String> declared = new ArrayList<>(licenceByPattern.values());
        for (String licence : declared) {
            for (String name : licence.split(" (?:and|or) ")) {
                assertThat(text).as("a License: %s paragraph", name).contains("\nLicense: " + name + "\n ");
            }
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(unpacked.resolve("usr/lib/walstow/lib"))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        assertThat(jars).isNotEmpty();
        for (Path jar : jars) {
            String path = unpacked.relativize(jar).toString();
            if (jar.getFileName().toString().startsWith("walstow-")) {
                continue; // Files: *
            }
            boolean covered = licenceByPattern.keySet().stream().filter(p -> !p.equals("*"))
                    .anyMatch(p -> glob(p).matches(Path.of(path)));
            assertThat(covered).as("%s has a Files: stanza in the copyright file", path).isTrue();
        }
    }

    @Test
    @DisplayName("/usr/share/doc/walstow/changelog.Debian.gz is gzip -9n and its newest entry is the package version")
    void changelog() throws IOException {
        byte[] gz = Files.readAllBytes(unpacked.resolve(DOC.resolve("changelog.Debian.gz")));
        assertThat(gz[3] & 0x08).as("no file name in the gzip header (-n)").isZero();
        assertThat(new byte[] {gz[4], gz[5], gz[6], gz[7]}).as("no time stamp in the gzip header (-n)")
                .containsOnly(0);
        String text;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> lines = text.lines().toList();
        assertThat(lines.getFirst()).isEqualTo("walstow (" + version + ") unstable; urgency=medium");
        assertThat(lines).anyMatch(l -> l.matches(" -- " + Pattern.quote(field("Maintainer"))
                + "  [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}"));
    }

    @Test
    @DisplayName("every unit in dist/systemd is installed to /lib/systemd/system, mode 0644")
    void systemdUnits() throws IOException {
        List<String> shipped;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("walstow.dist"), "systemd"))) {
            shipped = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(shipped).contains("walstow.service", "walstow@.service");
        String listing = Proc.run(null, Map.of(), 60, List.of("dpkg-deb", "-c", deb.toString())).ok().out();
        for (String unit : shipped) {
            assertThat(listing).as(unit).containsPattern("(?m)^-rw-r--r-- root/root .* \\./lib/systemd/system/"
                    + Pattern.quote(unit) + "$");
        }
    }

    @Test
    @DisplayName("the tarball carries LICENSE, the repository's Apache License 2.0")
    void tarballLicense() throws IOException {
        String mavenVersion = System.getProperty("walstow.version");
        Path tarball = packages.resolve("walstow-" + mavenVersion + ".tar.gz");
        String license = Proc.run(null, Map.of(), 60, List.of("tar", "-xzOf", tarball.toString(),
                "walstow-" + mavenVersion + "/LICENSE")).ok().out();
        Path root = Path.of(System.getProperty("walstow.dist")).getParent().getParent().getParent();
        assertThat(license).isEqualTo(Files.readString(root.resolve("LICENSE")))
                .contains("Apache License", "Version 2.0, January 2004");
    }

    private String field(String name) {
        return Proc.run(null, Map.of(), 30, List.of("dpkg-deb", "-f", deb.toString(), name)).ok().out().strip();
    }

    /** Each pattern of every {@code Files:} field (continuation lines included) to its stanza's licence. */
    private static Map<String, String> filesStanzas(String copyright) {
        Map<String, String> byPattern = new LinkedHashMap<>();
        for (String stanza : copyright.split("\n\n")) {
            Matcher files = Pattern.compile("(?m)^Files: (.*(?:\n .*)*)").matcher(stanza);
            Matcher licence = Pattern.compile("(?m)^License: (.*)$").matcher(stanza);
            if (files.find()) {
                assertThat(licence.find()).as("License: in %s", stanza).isTrue();
                for (String pattern : files.group(1).trim().split("\\s+")) {
                    byPattern.put(pattern, licence.group(1));
                }
            }
        }
        return byPattern;
    }

    private static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    }
}
