package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    @DisplayName("file system failures say what is wrong with which file")
    void files() {
        assertThat(Failures.describe(new NoSuchFileException("/r/wal/x"))).isEqualTo("no such file: /r/wal/x");
        assertThat(Failures.describe(new AccessDeniedException("/r/wal"))).isEqualTo("permission denied: /r/wal");
        assertThat(Failures.describe(new FileAlreadyExistsException("/r/x"))).isEqualTo("already exists: /r/x");
        assertThat(Failures.describe(new DirectoryNotEmptyException("/r/d"))).isEqualTo("directory not empty: /r/d");
        assertThat(Failures.describe(new NotDirectoryException("/r/f"))).isEqualTo("not a directory: /r/f");
        assertThat(Failures.describe(new NoSuchFileException("/a", "/b", null))).isEqualTo("no such file: /a -> /b");
    }

    @Test
    @DisplayName("any other file system failure gives the file and the system's reason")
    void fileSystemReason() {
        assertThat(Failures.describe(new FileSystemException("/r/x", null, "No space left on device")))
                .isEqualTo("/r/x: No space left on device");
        assertThat(Failures.describe(new FileSystemException("/r/x"))).isEqualTo("file system error: /r/x");
    }

    @Test
    @DisplayName("network failures: connection refused, unknown host, timed out")
    void network() {
        assertThat(Failures.describe(new ConnectException("Connection refused"))).isEqualTo("connection refused");
        assertThat(Failures.describe(new UnknownHostException("nosuch.example")))
                .isEqualTo("unknown host nosuch.example");
        assertThat(Failures.describe(new SocketTimeoutException("Read timed out"))).isEqualTo("timed out");
        assertThat(Failures.describe(new TimeoutException())).isEqualTo("timed out");
    }

    @Test
    @DisplayName("an interrupt is walstow shutting down, not a failure of the file or the store")
    void interrupted() {
        assertThat(Failures.describe(new ClosedByInterruptException())).isEqualTo(Failures.INTERRUPTED);
        assertThat(Failures.describe(new InterruptedException())).isEqualTo(Failures.INTERRUPTED);
        assertThat(Failures.INTERRUPTED).contains("shutting down");
    }

    @Test
    @DisplayName("a stream that ends early says so, with its detail when it has one")
    void endOfFile() {
        assertThat(Failures.describe(new EOFException())).isEqualTo("unexpected end of file");
        assertThat(Failures.describe(new EOFException("need 24 more bytes")))
                .isEqualTo("unexpected end of file (need 24 more bytes)");
    }

    @Test
    @DisplayName("an I/O failure with words of its own is those words")
    void ownWords() {
        assertThat(Failures.describe(new IOException("no jar files in /opt/walstow/lib")))
                .isEqualTo("no jar files in /opt/walstow/lib");
        assertThat(Failures.describe(new IOException("cannot read /srv/backup.Old/x")))
                .isEqualTo("cannot read /srv/backup.Old/x");
        assertThat(Failures.describe(new IOException())).isEqualTo("an I/O error the system did not explain");
    }

    @Test
    @DisplayName("wrappers are looked through: the failure inside says what happened")
    void wrappers() {
        NoSuchFileException inner = new NoSuchFileException("/x");
        String expected = "no such file: /x";
        assertThat(Failures.describe(new CompletionException(inner))).isEqualTo(expected);
        assertThat(Failures.describe(new ExecutionException(new CompletionException(inner)))).isEqualTo(expected);
        assertThat(Failures.describe(new UncheckedIOException(inner))).isEqualTo(expected);
        assertThat(Failures.describe(new InvocationTargetException(inner))).isEqualTo(expected);
        assertThat(Failures.describe(new IOException(inner))).isEqualTo(expected);
        assertThat(Failures.describe(new RuntimeException("reading x", inner))).isEqualTo("reading x");
    }

    @Test
    @DisplayName("a class name that toString() put in front of the words is dropped")
    void classPrefix() {
        assertThat(Failures.describe(new IOException("java.net.ConnectException: Connection refused")))
                .isEqualTo("Connection refused");
        assertThat(Failures.describe(new IOException("SdkClientException: Unable to execute HTTP request")))
                .isEqualTo("Unable to execute HTTP request");
    }

    @Test
    @DisplayName("a failure without words, or whose words name classes, is called unexpected: a walstow bug")
    void unexpected() {
        assertThat(Failures.describe(new NullPointerException())).isEqualTo(Failures.UNEXPECTED);
        assertThat(Failures.describe(new NullPointerException(
                "Cannot invoke \"java.util.List.size()\" because \"names\" is null"))).isEqualTo(Failures.UNEXPECTED);
        assertThat(Failures.describe(new IllegalStateException("class dev.walstow.X cannot be cast")))
                .isEqualTo(Failures.UNEXPECTED);
        assertThat(Failures.UNEXPECTED).contains("bug");
    }

    @Test
    @DisplayName("a failure that explains itself is its one line, as it is")
    void explained() {
        class Explaining extends RuntimeException implements Explained {
            @Override
            public String explanation() {
                return ErrorCode.KEY.line("no usable key", "check [encryption]");
            }
        }
        assertThat(Failures.describe(new CompletionException(new Explaining())))
                .isEqualTo("[WS-KEY] no usable key HINT: check [encryption]");
    }

    @Test
    @DisplayName("no description names a Java class")
    void noClassNames() {
        List<Throwable> failures = List.of(new NoSuchFileException("/x"), new AccessDeniedException("/x"),
                new FileAlreadyExistsException("/x"), new DirectoryNotEmptyException("/x"),
                new FileSystemException("/x", null, "Read-only file system"), new ConnectException(),
                new UnknownHostException(), new SocketTimeoutException(), new TimeoutException(),
                new ClosedByInterruptException(), new InterruptedException(), new EOFException(), new IOException(),
                new IOException(new ConnectException("Connection refused")), new OutOfMemoryError("Java heap space"),
                new IllegalStateException(), new StackOverflowError(), new RuntimeException(new Exception()),
                new IOException("java.nio.file.NoSuchFileException"));
        for (Throwable t : failures) {
            assertThat(Failures.describe(t)).as(t.toString()).isNotBlank().doesNotContain("java.")
                    .doesNotContain("Exception").doesNotContain("Error");
        }
    }
}
