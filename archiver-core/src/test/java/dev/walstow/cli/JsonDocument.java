package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Reads what a command printed with {@code --output json}, with the checks every document must pass. */
final class JsonDocument {
    private JsonDocument() {}

    /** The one document on {@code stdout}: version 1, every key snake_case. */
    static JsonNode parse(String stdout) {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(stdout);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not one JSON document: " + stdout, e);
        }
        assertThat(doc.isObject()).as(stdout).isTrue();
        assertThat(doc.get("walstow_json").isInt()).as("walstow_json is an integer").isTrue();
        assertThat(doc.get("walstow_json").intValue()).isEqualTo(1);
        assertThat(paths(doc)).as("every key is snake_case").allSatisfy(p -> assertThat(p).matches(
                "[a-z][a-z0-9_]*(\\[]|\\.[a-z][a-z0-9_]*)*(\\[])?"));
        return doc;
    }

    /** The top-level keys, in order. */
    static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Every key path in the document ({@code a.b}, {@code list[].c}): its shape, whatever its values. */
    static TreeSet<String> paths(JsonNode node) {
        TreeSet<String> paths = new TreeSet<>();
        collect(node, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String prefix, TreeSet<String> paths) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                paths.add(path);
                collect(e.getValue(), path, paths);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, prefix + "[]", paths);
            }
        }
    }

    /** Asserts that each named field of {@code node} is an integral JSON number (5, never 5.0). */
    static void assertIntegers(JsonNode node, String... fields) {
        for (String f : fields) {
            assertThat(node.has(f)).as("has " + f + " in " + node).isTrue();
            assertThat(node.get(f).isIntegralNumber()).as(f + " is an integer in " + node).isTrue();
        }
    }
}
