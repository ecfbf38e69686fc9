/**
 * The daemon's Unix socket server and process lifecycle; Netty is confined to this package and only adapts.
 *
 * <p>Wiring for the {@code walstow daemon} command:
 *
 * <pre>{@code
 * SpoolLayout layout = new SpoolLayout(dataDirectory);
 * DaemonServer server = new DaemonServer(ServerSettings.of(layout, config.daemon()), requestHandler);
 * DaemonRuntime runtime = new DaemonRuntime(server, within -> services.stop(within),
 *         config.daemon().shutdownTimeout());
 * runtime.start();          // UserError (USAGE) if another daemon serves this cluster; LocalIoError if no socket
 * runtime.awaitShutdown();  // returns once SIGTERM's ordered stop has finished
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.walstow.daemon.server.DaemonServer}: bind, peer check (SO_PEERCRED), one request per
 *       connection, graceful stop. The socket is 0600 in a 0700 directory; {@code daemon.sock.lock} beside it
 *       guarantees one daemon per data directory.</li>
 *   <li>{@link dev.walstow.daemon.server.SdNotify}: READY/STATUS/STOPPING/WATCHDOG for systemd
 *       {@code Type=notify}.</li>
 *   <li>{@link dev.walstow.daemon.server.DaemonRuntime}: start, shutdown hook, ordered bounded stop.</li>
 * </ul>
 */
package dev.walstow.daemon.server;
