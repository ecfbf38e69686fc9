package dev.walstow.agent.protocol;

import dev.walstow.agent.ErrorCode;
import java.util.Optional;

/**
 * The daemon's answer. {@code reason} is human-readable; the agent prints it to stderr so it lands in the
 * PostgreSQL log.
 *
 * @param status outcome
 * @param error for {@link Status#ERROR}: the stable error code (fixes the exit status); otherwise empty
 * @param reason one line for the log; may be empty on success
 */
public record Reply(Status status, Optional<ErrorCode> error, String reason) implements Message {

    public enum Status {
        /** Push: durably stored. Get: the file is at %p, verified. Ping: alive. */
        OK(0),
        /** Get only: the repository positively answered that the file is not there. */
        NOT_FOUND(1),
        /** Failed; {@link #error} says how. */
        ERROR(2),
        /** The daemon does not handle this request (e.g. %p outside its cluster's pg_wal): do it in-process. */
        UNSUPPORTED(3);

        final int wire;

        Status(int wire) {
            this.wire = wire;
        }
    }

    public Reply {
        if (status == null || error == null || reason == null) {
            throw new IllegalArgumentException("reply fields must not be null");
        }
        if ((status == Status.ERROR) != error.isPresent()) {
            throw new IllegalArgumentException("an ERROR reply carries an error code, and only it");
        }
    }

    public static Reply ok(String reason) {
        return new Reply(Status.OK, Optional.empty(), reason);
    }

    public static Reply notFound(String reason) {
        return new Reply(Status.NOT_FOUND, Optional.empty(), reason);
    }

    public static Reply error(ErrorCode code, String reason) {
        return new Reply(Status.ERROR, Optional.of(code), reason);
    }

    public static Reply unsupported(String reason) {
        return new Reply(Status.UNSUPPORTED, Optional.empty(), reason);
    }

    /** The exit status this reply means for the given request kind (docs/exit-codes.md). */
    public int exitCode(Request.Kind kind) {
        boolean get = kind == Request.Kind.GET;
        return switch (status) {
            case OK -> ErrorCode.SUCCESS;
            case NOT_FOUND -> get ? ErrorCode.GET_NOT_FOUND : ErrorCode.INTERNAL.pushExit();
            case ERROR -> get ? error.orElseThrow().getExit() : error.orElseThrow().pushExit();
            case UNSUPPORTED -> get ? ErrorCode.INTERNAL.getExit() : ErrorCode.INTERNAL.pushExit();
        };
    }
}
