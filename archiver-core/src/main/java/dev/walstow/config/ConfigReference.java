package dev.walstow.config;

import dev.walstow.config.ConfigKey.Section;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key tables of docs/configuration.md, generated from {@link ConfigKeys}. The prose around them is written by
 * hand; each table sits between {@code <!-- walstow:keys SECTION... -->} and {@code <!-- /walstow:keys -->}, SECTION
 * being a {@link Section#id()}. {@code ConfigReferenceTest} fails when the file differs from what this generates;
 * {@link #main}, or that test run with {@code -Dwalstow.update-docs=true}, rewrites it.
 */
public final class ConfigReference {
    private static final Pattern BLOCK = Pattern.compile(
            "(<!-- walstow:keys ([a-z0-9/ -]+?) -->\\n)(.*?)(<!-- /walstow:keys -->)", Pattern.DOTALL);

    private ConfigReference() {}

    /** The markdown table of the keys of these sections, in declaration order. */
    public static String table(List<Section> sections) {
        StringBuilder out = new StringBuilder("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        for (Section section : sections) {
            for (ConfigKey key : ConfigKeys.of(section)) {
                out.append("| `").append(key.name()).append("` | ").append(key.shownDefault()).append(" | ")
                        .append(key.allowed()).append(" | ").append(key.doc()).append(" |\n");
            }
        }
        return out.toString();
    }

    /** The document with every marked table regenerated; unknown section ids are an error. */
    public static String regenerate(String markdown) {
        Matcher m = BLOCK.matcher(markdown);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<Section> sections = new ArrayList<>();
            for (String id : m.group(2).trim().split(" +")) {
                sections.add(section(id));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + table(sections) + m.group(4)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The section ids the document marks, in order (every declared section should be among them). */
    public static List<String> markedSections(String markdown) {
        List<String> ids = new ArrayList<>();
        Matcher m = BLOCK.matcher(markdown);
        while (m.find()) {
            ids.addAll(Arrays.asList(m.group(2).trim().split(" +")));
        }
        return ids;
    }

    private static Section section(String id) {
        return ConfigKeys.all().stream().map(ConfigKey::section).filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no configuration section \"" + id + "\""));
    }

    /** Rewrites the tables of the file named (docs/configuration.md) in place. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        Files.writeString(file, regenerate(Files.readString(file)));
    }
}
