package dev.walstow.storage.s3;

import dev.walstow.agent.Failures;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StorageException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Builds the SDK's async S3 client from {@link S3Settings}: Netty HTTP client (chosen over the CRT HTTP client by
 * measurement, benchmarks/results/s3.md), bounded timeouts, bounded SDK retries, explicit credentials.
 *
 * <p>Retry policy: the SDK's standard strategy retries one request {@code sdkAttempts} times (5xx, 429/SlowDown,
 * connection resets, attempt timeouts; exponential backoff with full jitter, throttling backing off longer), all
 * inside {@code Timeouts.call}. walstow's {@code [retry]} then repeats the whole operation after a longer backoff.
 * So the worst case is {@code sdkAttempts × [retry] attempts} requests per object, but each walstow attempt is
 * bounded by the call timeout: a blip is absorbed by the SDK in milliseconds, an outage is waited out by walstow.
 */
final class S3Clients {
    private S3Clients() {}

    /**
     * One event loop group for every store in the process, never shut down (daemon threads). A group per client
     * costs Netty's 2 s graceful-shutdown quiet period on every close, and a one-shot archive-push would pay it.
     */
    private static final class EventLoops {
        static final SdkEventLoopGroup GROUP = SdkEventLoopGroup.builder()
                .numberOfThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .threadFactory(Thread.ofPlatform().name("walstow-s3-io-", 0).daemon(true).factory())
                .build();
    }

    /** The Netty HTTP client with the settings' timeouts. */
    static SdkAsyncHttpClient netty(S3Settings s) {
        return NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(EventLoops.GROUP)
                .maxConcurrency(s.maxConcurrency())
                .connectionTimeout(s.timeouts().connect())
                .readTimeout(s.timeouts().read())
                .writeTimeout(s.timeouts().read())
                // Waiting for a pooled connection is part of the attempt: never longer than the attempt itself.
                .connectionAcquisitionTimeout(s.timeouts().attempt())
                .tcpKeepAlive(true)
                .build();
    }

    static S3AsyncClient client(S3Settings s, SdkAsyncHttpClient http) throws StorageException {
        S3AsyncClientBuilder b = S3AsyncClient.builder()
                .httpClient(http)
                .region(Region.of(s.region()))
                .credentialsProvider(credentials(s.credentials()))
                .forcePathStyle(s.pathStyle())
                // walstow sends its own checksum header on every upload (Checksums); the SDK adds nothing on top.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(s.timeouts().attempt())
                        .apiCallTimeout(s.timeouts().call())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(s.sdkAttempts()).build())
                        .build());
        s.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    static AwsCredentialsProvider credentials(S3Settings.Credentials c) throws StorageException {
        return switch (c) {
            case S3Settings.Credentials.Literal l ->
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(l.accessKeyId(), l.secretAccessKey()));
            case S3Settings.Credentials.Static st ->
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(st.accessKeyId(), readSecret(st)));
            case S3Settings.Credentials.Environment e -> EnvironmentVariableCredentialsProvider.create();
            case S3Settings.Credentials.Profile p -> ProfileCredentialsProvider.create(p.name());
            case S3Settings.Credentials.WebIdentity w -> WebIdentityTokenFileCredentialsProvider.create();
            case S3Settings.Credentials.Instance i -> AwsCredentialsProviderChain.of(
                    ContainerCredentialsProvider.create(), InstanceProfileCredentialsProvider.create());
            case S3Settings.Credentials.Chain chain -> chain(chain);
        };
    }

    /**
     * The SDK's default chain, rebuilt so that the instance metadata service can be left out: on a host that is not
     * on EC2, asking IMDS costs connect timeouts and retries before "no credentials" can be said.
     */
    private static AwsCredentialsProvider chain(S3Settings.Credentials.Chain chain) {
        List<AwsCredentialsProvider> providers = new ArrayList<>(List.of(
                EnvironmentVariableCredentialsProvider.create(),
                SystemPropertyCredentialsProvider.create(),
                WebIdentityTokenFileCredentialsProvider.create(),
                chain.profile().map(ProfileCredentialsProvider::create).orElseGet(ProfileCredentialsProvider::create),
                ContainerCredentialsProvider.create()));
        if (chain.instanceMetadata()) {
            providers.add(InstanceProfileCredentialsProvider.create());
        }
        return AwsCredentialsProviderChain.builder().reuseLastProviderEnabled(true)
                .credentialsProviders(providers).build();
    }

    private static String readSecret(S3Settings.Credentials.Static st) throws StorageException {
        try {
            String first = Files.readString(st.secretAccessKeyFile(), StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("").strip();
            if (first.isEmpty()) {
                throw new StorageException(Kind.PERMISSION_DENIED, "repository.secret-access-key-file "
                        + st.secretAccessKeyFile() + " is empty; write the secret access key on its first line");
            }
            return first;
        } catch (IOException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException(Kind.PERMISSION_DENIED, "cannot read repository.secret-access-key-file "
                    + st.secretAccessKeyFile() + ": " + Failures.describe(e) + "; make it readable (mode 0600) by the "
                    + "PostgreSQL OS user", e);
        }
    }
}
