package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The launcher puts every jar of lib/ on the class path ({@code lib/*}), so two versions of one artifact there means
 * whichever the directory lists first wins: this once shipped micrometer's Prometheus core 1.3 beside model 1.8
 * (pulled in by a test-only dependency through Maven's mediation) and /metrics failed with NoSuchMethodError.
 */
class DistributionLibIT {
    private static final Pattern JAR = Pattern.compile("(.+?)-(\\d[\\w.+-]*)\\.jar");

    @Test
    @DisplayName("lib/ holds one version of each artifact")
    void oneVersionPerArtifact() throws IOException {
        Map<String, List<String>> versions = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("walstow.dist"), "lib"))) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                Matcher m = JAR.matcher(jar.getFileName().toString());
                if (m.matches()) {
                    versions.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>()).add(m.group(2));
                }
            }
        }
        assertThat(versions).isNotEmpty().containsKey("prometheus-metrics-model");
        Map<String, List<String>> twice = versions.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(twice).as("artifacts with more than one version in lib/").isEmpty();
    }
}
