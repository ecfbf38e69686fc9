package dev.walstow.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.storage.StorageException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

class S3ErrorsTest {
    private static final String WHERE = "get wal/x in s3://bucket/prefix/: ";

    @Test
    @DisplayName("an unreachable store is UNAVAILABLE and says why in words, not with the SDK's class names")
    void unreachable() {
        SdkClientException sdk = SdkClientException.builder().message("Unable to execute HTTP request: "
                + "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused")
                .cause(new ConnectException("Connection refused")).build();
        StorageException e = S3Errors.map(new CompletionException(sdk), "get", "wal/x", "s3://bucket/prefix/");
        assertThat(e.kind()).isEqualTo(StorageException.Kind.UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo(WHERE + "store unreachable: connection refused");
    }

    @Test
    @DisplayName("any other failure is IO, described in words")
    void other() {
        StorageException e = S3Errors.map(new IOException(new ClosedByInterruptException()), "get", "wal/x",
                "s3://bucket/prefix/");
        assertThat(e.kind()).isEqualTo(StorageException.Kind.IO);
        assertThat(e.getMessage()).isEqualTo(WHERE + "interrupted (walstow is shutting down)")
                .doesNotContain("Exception");
    }
}
