package dev.walstow.daemon.server;

import dev.walstow.daemon.spool.SpoolLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A daemon process for {@link SigtermTest}: production wiring of {@link DaemonRuntime} around a stub handler. */
public final class SigtermMain {
    public static void main(String[] args) throws Exception {
        Path socket = new SpoolLayout(Path.of(args[0])).socket();
        DaemonServer server = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), Duration.ofSeconds(10)),
                StubHandler.echo());
        DaemonRuntime runtime = new DaemonRuntime(server, within -> System.out.println("services stopped"),
                Duration.ofSeconds(5));
        runtime.start();
        System.out.println("started");
        runtime.awaitShutdown();
    }
}
