package dev.walstow.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Inner(long wholeBytes, Double ratio) {}

    record Document(int walstowJson, String startLsn, Long ageSeconds, List<String> none, Inner inner) {}

    @Test
    @DisplayName("keys are snake_case in declaration order, nulls kept, integers integral, indented with ': '")
    void style() throws Exception {
        String json = Json.write(new Document(Json.VERSION, "0/16B3748", null, List.of(), new Inner(5, 4.5)));

        assertThat(json).isEqualTo("""
                {
                  "walstow_json": 1,
                  "start_lsn": "0/16B3748",
                  "age_seconds": null,
                  "none": [],
                  "inner": {
                    "whole_bytes": 5,
                    "ratio": 4.5
                  }
                }""");
        assertThat(Json.read(json, Document.class)).isEqualTo(new Document(1, "0/16B3748", null, List.of(),
                new Inner(5, 4.5)));
    }

    @Test
    @DisplayName("reading ignores keys a newer walstow added")
    void readsNewerDocuments() throws Exception {
        assertThat(Json.read("{\"walstow_json\": 1, \"start_lsn\": \"0/1\", \"added_later\": true}", Document.class)
                .startLsn()).isEqualTo("0/1");
    }
}
