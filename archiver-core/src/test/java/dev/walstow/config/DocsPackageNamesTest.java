package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The package file names the documentation gives are the ones the build writes (packaging/pom.xml): the .deb is
 * {@code walstow_<version>_amd64.deb} with jdeb's version (Maven's, {@code -SNAPSHOT} as {@code ~SNAPSHOT}), the
 * tarball {@code walstow-<version>.tar.gz} with Maven's. DebContentsIT checks the built files themselves.
 */
class DocsPackageNamesTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern NAME = Pattern.compile("walstow[_-][^\\s`/()]*?(?:_amd64\\.deb|\\.tar\\.gz)");

    @Test
    @DisplayName("the packaging pom names the .deb walstow_[[version]]_amd64.deb and the tarball walstow-${project.version}.tar.gz")
    void pomNames() throws IOException {
        String pom = Files.readString(ROOT.resolve("packaging/pom.xml"));
        assertThat(pom).contains("<deb>${project.build.directory}/walstow_[[version]]_amd64.deb</deb>",
                "destfile=\"${project.build.directory}/walstow-${project.version}.tar.gz\"");
    }

    @Test
    @DisplayName("every .deb and tarball name in README.md and docs/ is the pattern or this version's real file name")
    void docsNames() throws IOException {
        String maven = mavenVersion();
        String deb = maven.replace("-SNAPSHOT", "~SNAPSHOT");
        Set<String> allowed = Set.of("walstow_<version>_amd64.deb", "walstow_*_amd64.deb",
                "walstow_" + deb + "_amd64.deb",
                "walstow-<version>.tar.gz", "walstow-*.tar.gz", "walstow-" + maven + ".tar.gz");
        List<String> found = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher m = NAME.matcher(Files.readString(doc));
            while (m.find()) {
                found.add(doc.getFileName() + ": " + m.group());
                assertThat(allowed).as("%s names %s", doc, m.group()).contains(m.group());
            }
        }
        assertThat(found).as("getting-started.md names the package").anyMatch(f -> f.startsWith("getting-started.md")
                && f.endsWith(".deb"));
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static String mavenVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>walstow-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
