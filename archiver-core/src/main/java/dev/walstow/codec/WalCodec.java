package dev.walstow.codec;

import dev.walstow.agent.Failures;
import dev.walstow.storage.Sha256;
import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.walstow.error.DataError;
import dev.walstow.error.WalstowException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPException;

/**
 * Turns plaintext into a stored object and back. An object is one zstd frame with content checksum, optionally
 * inside an OpenPGP message (see {@link OpenPgpEncryptor}); both are standard so that {@code gpg --decrypt | zstd -d}
 * restores without walstow (docs/disaster-recovery.md).
 *
 * <p>Streams are neither closed nor wrapped in buffers beyond {@link #BUFFER_SIZE}: memory stays bounded whatever
 * the size. Thread-safe: every call has its own state.
 *
 * <p>Failures: {@link IOException} when one of the caller's streams fails (the repository or a local file);
 * {@link DataError} when the object's bytes or the keys are at fault. After any exception the output is
 * incomplete and must be discarded: in particular {@code decode} writes plaintext before the MDC at the end of an
 * encrypted object has been checked.
 */
public final class WalCodec {
    /** 128 KiB: zstd's own streaming block size, and large enough that per-call overhead vanishes. */
    static final int BUFFER_SIZE = 128 * 1024;
    private static final byte[] ZSTD_MAGIC = ZstdFrameDecoder.MAGIC;
    private static final String DAMAGED_HINT = "fetch it again; if it persists run walstow verify";

    private final CodecSettings settings;

    public WalCodec(CodecSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Recorded with each object: "zstd" or "zstd+openpgp". */
    public String codecName() {
        return settings.encryption() instanceof Encryption.None ? "zstd" : "zstd+openpgp";
    }

    public CodecResult encode(InputStream plain, OutputStream stored) throws IOException {
        GuardedStreams.Out out = new GuardedStreams.Out(stored);
        Abortable sink = new Abortable(out);
        MessageDigest sha = sha256();
        long plainSize = 0;
        OutputStream layer = sink;
        if (!(settings.encryption() instanceof Encryption.None)) {
            try {
                layer = OpenPgpEncryptor.open(sink, settings.encryption(), BUFFER_SIZE);
            } catch (PGPException e) {
                throw DataError.key("Cannot encrypt to the configured [encryption] key: " + Failures.describe(e) + ".",
                        "check the recipient key file", e);
            }
        }
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(layer, RecyclingBufferPool.INSTANCE);
        boolean ok = false;
        try {
            zstd.setLevel(settings.zstdLevel());
            zstd.setChecksum(true);
            byte[] buf = new byte[BUFFER_SIZE];
            for (int n; (n = plain.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
                zstd.write(buf, 0, n);
                plainSize += n;
            }
            ok = true;
        } finally {
            // On failure, closing would end the frame and the OpenPGP packets properly and so turn a partial
            // input into a well-formed object. Cut the output first so only native resources are released.
            if (!ok) {
                sink.abort();
            }
            zstd.close();
        }
        out.flush();
        return new CodecResult(HexFormat.of().formatHex(sha.digest()), plainSize, out.count());
    }

    /** Whether a decode computes the plaintext's SHA-256. */
    public enum Digest {
        /** Always: for {@code verify} and for backups, whose manifests list the SHA-256 of every part. */
        ALWAYS,
        /**
         * Not for an encrypted object whose zstd frame carries a content checksum (every object walstow writes with
         * encryption): for handing WAL segments to PostgreSQL, where SHA-256 was a third of the daemon's CPU per
         * restored segment. Such an object is still checked end to end before the decode returns: its MDC (SHA-1
         * over every compressed byte, refused if absent) proves the compressed stream is the one that was
         * encrypted, libzstd checks the frame's checksum of the plaintext, and the caller checks size and page
         * header. This detects damage, not forgery: whoever can write to the repository can also rewrite the
         * recorded SHA-256 (and, with the public key, encrypt), so the SHA-256 never protected against that either.
         * An unencrypted object has no check of its own but the SHA-256, so it always gets one.
         */
        UNLESS_INTEGRITY_PROTECTED
    }

    /** As {@link #decode(InputStream, OutputStream, Digest)} with {@link Digest#ALWAYS}. */
    public CodecResult decode(InputStream stored, OutputStream plain) throws IOException {
        return decode(stored, plain, Digest.ALWAYS);
    }

    /**
     * Detects the format by its first bytes (zstd magic 28 B5 2F FD vs an OpenPGP packet), so a repository may mix
     * encrypted and unencrypted objects.
     *
     * @return the result, without a SHA-256 only if {@code digest} allowed it and the object qualified
     */
    public CodecResult decode(InputStream stored, OutputStream plain, Digest digest) throws IOException {
        GuardedStreams.In in = new GuardedStreams.In(stored);
        GuardedStreams.Out out = new GuardedStreams.Out(plain);
        MessageDigest sha = sha256();
        boolean digested = true;
        try {
            byte[] head = in.readNBytes(ZSTD_MAGIC.length);
            InputStream all = new SequenceInputStream(new ByteArrayInputStream(head), in);
            if (java.util.Arrays.equals(head, ZSTD_MAGIC)) {
                ZstdFrameDecoder.open(all, BUFFER_SIZE).decodeTo(new DigestOutputStream(out, sha));
            } else if (head.length > 0 && (head[0] & 0x80) != 0) {
                OpenPgpDecryptor.Opened opened = OpenPgpDecryptor.open(all, settings.encryption());
                ZstdFrameDecoder frame = ZstdFrameDecoder.open(opened.literal(), BUFFER_SIZE);
                digested = digest == Digest.ALWAYS || !frame.checksummed();
                frame.decodeTo(digested ? new DigestOutputStream(out, sha) : out);
                opened.finish();
            } else {
                throw DataError.integrity(head.length == 0 ? "Stored object is empty."
                        : "Stored object is neither a zstd frame nor an OpenPGP message.", DAMAGED_HINT, null);
            }
        } catch (WalstowException e) {
            throw e;
        } catch (IOException | PGPException | RuntimeException e) {
            // The caller's own streams failing is not damage: let the caller map it (repository or local I/O).
            if (out.failure() != null) {
                throw out.failure();
            }
            if (in.failure() != null) {
                throw in.failure();
            }
            throw DataError.integrity("Stored object is damaged (" + Failures.describe(e) + ").", DAMAGED_HINT, e);
        }
        out.flush();
        Optional<String> sha256 = digested ? Optional.of(HexFormat.of().formatHex(sha.digest())) : Optional.empty();
        return new CodecResult(sha256, out.count(), in.count());
    }

    /**
     * Whether {@link #decode} can open what {@link #encode} writes. False on the archiving host, which encrypts to a
     * recipient and holds no secret key: there only {@link #checkWithoutKey} can look at encrypted objects.
     */
    public boolean decryptsOwnObjects() {
        return !(settings.encryption() instanceof Encryption.PublicKey pk) || pk.secret().isPresent();
    }

    /**
     * What can be checked of a stored object without a key, reading it once to its end: a zstd frame is decoded in
     * full, exactly as {@link #decode} does (its SHA-256 is in the result); an OpenPGP message is walked packet by
     * packet without decrypting, so an empty, cut or truncated object, bytes after the message, or a message without
     * integrity protection show, but damage inside the encrypted bytes does not (that takes the secret key and
     * {@link #decode}).
     *
     * @return the result; without a SHA-256 and with a plain size of -1 when the object is encrypted
     * @throws DataError (integrity) when the object is damaged in a way visible without the key
     */
    public CodecResult checkWithoutKey(InputStream stored) throws IOException {
        GuardedStreams.In in = new GuardedStreams.In(stored);
        try {
            byte[] head = in.readNBytes(ZSTD_MAGIC.length);
            InputStream all = new SequenceInputStream(new ByteArrayInputStream(head), in);
            if (java.util.Arrays.equals(head, ZSTD_MAGIC)) {
                MessageDigest sha = sha256();
                GuardedStreams.Out out = new GuardedStreams.Out(OutputStream.nullOutputStream());
                ZstdFrameDecoder.open(all, BUFFER_SIZE).decodeTo(new DigestOutputStream(out, sha));
                return new CodecResult(Optional.of(HexFormat.of().formatHex(sha.digest())), out.count(), in.count());
            } else if (head.length > 0 && (head[0] & 0x80) != 0) {
                OpenPgpDecryptor.walkSealed(all);
                return new CodecResult(Optional.empty(), -1, in.count());
            }
            throw DataError.integrity(head.length == 0 ? "Stored object is empty."
                    : "Stored object is neither a zstd frame nor an OpenPGP message.", DAMAGED_HINT, null);
        } catch (WalstowException e) {
            throw e;
        } catch (IOException | PGPException | RuntimeException e) {
            if (in.failure() != null) {
                throw in.failure();
            }
            throw DataError.integrity("Stored object is damaged (" + Failures.describe(e) + ").", DAMAGED_HINT, e);
        }
    }

    private static MessageDigest sha256() {
        return Sha256.digest();
    }

    /** Passes writes through until {@link #abort()}, then swallows everything. */
    private static final class Abortable extends OutputStream {
        private final OutputStream out;
        private boolean aborted;

        Abortable(OutputStream out) {
            this.out = out;
        }

        void abort() {
            aborted = true;
        }

        @Override
        public void write(int b) throws IOException {
            if (!aborted) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!aborted) {
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!aborted) {
                out.flush();
            }
        }

        @Override
        public void close() {
            // the caller owns the stream
        }
    }
}
