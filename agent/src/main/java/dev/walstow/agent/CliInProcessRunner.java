package dev.walstow.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs {@code dev.walstow.cli.Main.run(String...)} from {@code ${walstow.home}/lib/*.jar} in this JVM.
 *
 * <p>Why a class loader instead of putting lib/ on the agent's class path: the agent JVM starts with one small jar
 * (that is what makes it fast and its AOT cache small); the picocli/Jackson/Bouncy Castle world is only loaded on
 * the rare call no daemon answers. The agent's own loader is the parent, so {@link ErrorCode} is one class for both.
 */
public final class CliInProcessRunner implements InProcessRunner {
    static final String MAIN_CLASS = "dev.walstow.cli.Main";

    private final Path home;
    private final PrintStream err;

    /** @param home the distribution root ({@code -Dwalstow.home}, set by bin/walstow); may be null */
    public CliInProcessRunner(Path home, PrintStream err) {
        this.home = home;
        this.err = err;
    }

    @Override
    public int run(String... args) {
        boolean get = List.of(args).contains("archive-get");
        Method run;
        try {
            if (home == null) {
                throw new IOException("system property walstow.home is not set");
            }
            URLClassLoader loader = new URLClassLoader("walstow-cli", jars(home.resolve("lib")),
                    CliInProcessRunner.class.getClassLoader());
            // slf4j and Jackson look up providers through the context class loader.
            Thread.currentThread().setContextClassLoader(loader);
            run = Class.forName(MAIN_CLASS, true, loader).getMethod("run", String[].class);
        } catch (IOException | ReflectiveOperationException | LinkageError e) {
            // The jars are there but do not hold a CLI that loads: a broken or mixed installation, not a bug.
            String why = e instanceof IOException io ? Failures.describe(io)
                    : "its jars do not hold a walstow CLI that loads";
            err.println("walstow: " + ErrorCode.CONFIG.line("cannot load the walstow CLI from "
                    + (home == null ? "?" : home.resolve("lib")) + " (" + why + ")",
                    "reinstall walstow, or start the daemon: systemctl start walstow"));
            err.flush();
            return get ? ErrorCode.CONFIG.getExit() : ErrorCode.CONFIG.pushExit();
        }
        try {
            return (Integer) run.invoke(null, (Object) args);
        } catch (InvocationTargetException | IllegalAccessException e) {
            // Main.run maps every failure of a command to an exit status; what escapes it is a bug.
            err.println("walstow: " + ErrorCode.INTERNAL.line("the walstow CLI failed unexpectedly: "
                    + Failures.describe(e), "this is a bug in walstow; please report it with this line"));
            err.flush();
            return get ? ErrorCode.INTERNAL.getExit() : ErrorCode.INTERNAL.pushExit();
        }
    }

    private static URL[] jars(Path lib) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path jar : dir) {
                found.add(jar);
            }
        }
        if (found.isEmpty()) {
            throw new IOException("no jar files in " + lib);
        }
        Collections.sort(found);
        URL[] urls = new URL[found.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = found.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IOException(e);
            }
        }
        return urls;
    }
}
