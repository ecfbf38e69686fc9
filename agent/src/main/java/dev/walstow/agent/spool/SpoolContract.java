package dev.walstow.agent.spool;

import dev.walstow.agent.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one owner of every name in {@code pg_wal/.walstow} that more than one program reads or writes, and of the
 * launcher's hand-over exit statuses. The daemon ({@code SpoolLayout}), the agent and the AOT training take the names
 * from here; the C launcher takes them from {@code walstow_spool.h}, which {@link #main} writes at build time
 * (packaging/pom.xml), so a name changed here changes in C too, and the launcher does not compile against a name
 * that is gone.
 *
 * <p>Layout and meaning: {@code SpoolLayout} (the daemon's side), {@link Serving} (which state may be trusted).
 */
public final class SpoolContract {
    /** Relative to the data directory, PostgreSQL's working directory for archive and restore commands. */
    public static final String ROOT = "pg_wal/.walstow";
    public static final String SOCKET = "daemon.sock";
    public static final String AGENT_PROPERTIES = "agent.properties";
    public static final String PID_FILE = "daemon.pid";
    public static final String NAP_FIFO = "nap.fifo";
    public static final String WARM_UP = "warm-up";
    /** {@link Serving}: the publication, the daemon's lock, and the prefix of each repository's state directory. */
    public static final String SERVING = "serving";
    public static final String LOCK = "daemon.lock";
    public static final String STATE_PREFIX = "repo-";
    /** Below {@code repo-ID/}: */
    public static final String PUSHED = "pushed";
    public static final String FAILED = "failed";
    public static final String PREFETCH = "prefetch";
    public static final String PUSHING = "pushing";
    public static final String FETCHING = "fetching";
    public static final String ASKED = "asked";
    public static final String ANSWERS = "answers";
    /** An answer's suffixes: the repository positively has no such file; anything else went wrong. */
    public static final String ANSWER_MISSING = ".missing";
    public static final String ANSWER_ERROR = ".error";
    /**
     * The launcher's status when even the hand-over to bin/walstow-jvm fails: an installation problem (WS-CONFIG),
     * above 125 for archive-get so that recovery stops instead of ending early. bin/walstow-jvm uses the same.
     */
    public static final int HANDOVER_FAILED_GET = ErrorCode.CONFIG.getExit();
    public static final int HANDOVER_FAILED = ErrorCode.CONFIG.pushExit();

    private SpoolContract() {}

    /** Writes the C header with every name and number above, and {@link Serving}'s and {@link ConfigFile}'s. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SpoolContract OUTPUT.h");
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, header(), StandardCharsets.UTF_8);
    }

    static String header() {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("WS_SPOOL", ROOT);
        defines.put("WS_SOCKET", SOCKET);
        defines.put("WS_AGENT_PROPERTIES", AGENT_PROPERTIES);
        defines.put("WS_NAP_FIFO", NAP_FIFO);
        defines.put("WS_SERVING", SERVING);
        defines.put("WS_SERVING_MAGIC", Serving.MAGIC);
        defines.put("WS_LOCK", LOCK);
        defines.put("WS_STATE_PREFIX", STATE_PREFIX);
        defines.put("WS_PUSHED", PUSHED);
        defines.put("WS_FAILED", FAILED);
        defines.put("WS_PREFETCH", PREFETCH);
        defines.put("WS_PUSHING", PUSHING);
        defines.put("WS_FETCHING", FETCHING);
        defines.put("WS_ASKED", ASKED);
        defines.put("WS_ANSWERS", ANSWERS);
        defines.put("WS_ANSWER_MISSING", ANSWER_MISSING);
        defines.put("WS_ANSWER_ERROR", ANSWER_ERROR);
        defines.put("WS_CONFIG_ENV", ConfigFile.ENV_VAR);
        defines.put("WS_CONFIG_DEFAULT", ConfigFile.DEFAULT_PATH.toString());
        defines.put("WS_HEARTBEAT_STALE_MS", Serving.STALE_AFTER.toMillis());
        defines.put("WS_EXIT_HANDOVER_FAILED_GET", HANDOVER_FAILED_GET);
        defines.put("WS_EXIT_HANDOVER_FAILED", HANDOVER_FAILED);
        StringBuilder h = new StringBuilder("/* Generated at build time by dev.walstow.agent.spool.SpoolContract: do not "
                + "edit. */\n#ifndef WALSTOW_SPOOL_H\n#define WALSTOW_SPOOL_H\n");
        defines.forEach((name, value) -> h.append("#define ").append(name).append(' ').append(value instanceof String s
                ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : value).append('\n'));
        return h.append("#endif\n").toString();
    }
}
