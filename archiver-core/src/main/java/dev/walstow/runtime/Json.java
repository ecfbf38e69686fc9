package dev.walstow.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one style of walstow's machine-readable output (docs/json.md): every command's {@code --output json} and the
 * daemon's {@code GET /status}. A document is a record whose first component is {@code walstowJson}
 * ({@link #VERSION}); its keys are the components' names in snake_case, in declaration order, every key always
 * present ({@code null} for unknown). The records' types are the schema: counts, bytes and seconds are {@code int}
 * or {@code long} (integral JSON numbers), only ratios are fractional; times are ISO-8601 UTC strings, LSNs
 * PostgreSQL's {@code 0/16B3748} strings, enumerations lowercase words.
 */
public final class Json {
    /** {@code walstow_json} of every document; raised only when a key is renamed, removed or changes its type. */
    public static final int VERSION = 1;

    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .defaultPrettyPrinter(PRETTY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}

    /** The document, indented, without a final line break. */
    public static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(document.getClass().getSimpleName() + " serializes to JSON", e);
        }
    }

    /** A document this class wrote (keys it does not know are ignored: documents only ever gain keys). */
    public static <T> T read(String json, Class<T> type) throws JsonProcessingException {
        return MAPPER.readValue(json, type);
    }
}
