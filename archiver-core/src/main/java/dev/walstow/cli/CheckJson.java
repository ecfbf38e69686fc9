package dev.walstow.cli;

import dev.walstow.runtime.Json;
import java.util.List;

/**
 * {@code walstow check --output json} (docs/json.md): every step in the order it ran, as the text lists them.
 *
 * @param failures how many steps failed; {@code ok} is true when none did
 */
record CheckJson(int walstowJson, boolean ok, int failures, List<Step> steps) {

    enum Status { ok, fail, skip }

    /**
     * @param message what held ({@code ok}), the failure as one {@code [WS-CODE] message HINT: fix} line or a
     *     sentence with a hint ({@code fail}), or what was skipped and why ({@code skip})
     */
    record Step(Status status, String message) {}

    static CheckJson of(CheckSteps steps) {
        return new CheckJson(Json.VERSION, steps.failures() == 0, steps.failures(), steps.steps());
    }
}
