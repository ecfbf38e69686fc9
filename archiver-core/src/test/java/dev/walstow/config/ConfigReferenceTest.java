package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.config.ConfigKey.Section;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's key tables are the declarations in {@link ConfigKeys}, and the loader knows only them. */
class ConfigReferenceTest {
    private static final Path DOCS = Path.of("..", "docs", "configuration.md");

    @Test
    @DisplayName("docs/configuration.md shows exactly the declared keys (regenerate: ConfigReference.main)")
    void docsMatchDeclarations() throws Exception {
        String docs = Files.readString(DOCS);
        String generated = ConfigReference.regenerate(docs);
        if (Boolean.getBoolean("walstow.update-docs")) {
            Files.writeString(DOCS, generated);
            return;
        }
        assertThat(generated)
                .as("docs/configuration.md is out of date; regenerate its tables: mvn -q -pl agent,storage,"
                        + "archiver-core test -Dtest=ConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false "
                        + "-Dwalstow.update-docs=true")
                .isEqualTo(docs);
    }

    @Test
    @DisplayName("every declared section has exactly one table in docs/configuration.md")
    void everySectionDocumentedOnce() throws Exception {
        List<String> marked = ConfigReference.markedSections(Files.readString(DOCS));
        Set<String> declared = new HashSet<>();
        ConfigKeys.all().forEach(k -> declared.add(k.section().id()));
        assertThat(marked).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    @DisplayName("a generated table has one row per key with its default, allowed values and meaning")
    void tableRows() {
        String table = ConfigReference.table(List.of(ConfigKeys.RETRY));
        assertThat(table.lines()).hasSize(2 + ConfigKeys.of(ConfigKeys.RETRY).size());
        assertThat(table).contains("| `initial-backoff` | `\"500ms\"` | 1ms – 5min | Wait before the second try");
    }

    @Test
    @DisplayName("a table marker naming no declared section is refused")
    void unknownSectionRefused() {
        assertThatThrownBy(() -> ConfigReference.regenerate("<!-- walstow:keys nosuch -->\n<!-- /walstow:keys -->"))
                .hasMessageContaining("nosuch");
    }

    @Test
    @DisplayName("every declared key is accepted by the loader, and its declared default is what an absent key gives")
    void declaredKeysAreTheLoadersKeys() {
        // One TOML line per key with its default written out: the loader must take every one of them (so no key
        // is declared without being read) and give the same configuration as leaving them all out.
        StringBuilder toml = new StringBuilder();
        String table = "";
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.section().backend().filter(b -> !b.equals("posix")).isPresent()) {
                continue;
            }
            if (!key.section().table().equals(table)) {
                table = key.section().table();
                toml.append('[').append(table).append("]\n");
            }
            String value = switch (key) {
                case ConfigKey.FilePath p when p.name().equals("path") -> "\"/var/lib/walstow/repo\"";
                case ConfigKey.FilePath p when p.name().equals("recipient") -> "\"/etc/walstow/archive.pub.asc\"";
                case ConfigKey.FilePath p -> null;
                case ConfigKey.Text t -> t.defaultValue().map(v -> "\"" + v + "\"").orElse(null);
                default -> key.shownDefault().replace("`", "");
            };
            if (value != null) {
                toml.append(key.name()).append(" = ").append(value).append('\n');
            }
        }
        WalstowConfig written = ConfigLoader.parse(Path.of("all.toml"), toml.toString());
        WalstowConfig minimal = ConfigLoader.parse(Path.of("all.toml"), """
                [repository]
                path = "/var/lib/walstow/repo"
                [encryption]
                recipient = "/etc/walstow/archive.pub.asc"
                """);
        assertThat(written).usingRecursiveComparison().ignoringFields("source").isEqualTo(minimal);
    }

    @Test
    @DisplayName("a key that is not declared is reported with the keys its table knows")
    void undeclaredKeyReported() {
        assertThatThrownBy(() -> parseWith("""
                [daemon]
                push-concurency = 4
                [nosuch]
                """)).hasMessageContaining("daemon.push-concurency: unknown key (known here: allowed-uids, fallback,")
                .hasMessageContaining("nosuch: unknown key");
    }

    @Test
    @DisplayName("a word outside a key's declared choices is reported with the choices")
    void choiceReported() {
        assertThatThrownBy(() -> parseWith("""
                [daemon]
                fallback = "retry"
                """)).hasMessageContaining("daemon.fallback: must be \"in-process\" or \"fail\", got \"retry\"");
    }

    @Test
    @DisplayName("sections are told apart by repository type: an s3 key under type = \"posix\" is refused")
    void backendSections() {
        assertThat(Section.of("repository").id()).isEqualTo("repository");
        assertThat(ConfigKeys.REPOSITORY_BUCKET.section().id()).isEqualTo("repository/s3");
        assertThat(ConfigKeys.REPOSITORY_BUCKET.path()).isEqualTo("repository.bucket");
    }

    /** A minimal valid file plus the tables given. */
    private static WalstowConfig parseWith(String tables) {
        return ConfigLoader.parse(Path.of("x.toml"), """
                [repository]
                path = "/r"
                [encryption]
                enabled = false
                """ + tables);
    }
}
