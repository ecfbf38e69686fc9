package dev.walstow.agent.protocol;

import dev.walstow.agent.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Wire format of the agent-daemon protocol, shared by both ends (JDK only, so the agent stays tiny).
 *
 * <pre>
 * frame   = magic "WSTW" (4 bytes) | version (1 byte, = 2) | type (1 byte) | payload length (4 bytes, big-endian)
 *           | payload
 * type    = 1 PUSH, 2 GET, 3 PING (requests); 0x81 REPLY
 * payload = field*, each: length (2 bytes, big-endian) | UTF-8 bytes
 * request fields: walFileName, path, workingDirectory, configFingerprint
 * reply fields:   status (OK|NOT_FOUND|ERROR|UNSUPPORTED), error id (WS-... or empty), reason
 * </pre>
 *
 * A frame is at most {@link #MAX_PAYLOAD} bytes of payload: a peer cannot make the other side buffer more. One
 * request and one reply per connection keeps both ends simple; connections on a Unix socket are cheap.
 */
public final class Frames {
    public static final int HEADER_LENGTH = 10;
    public static final int MAX_PAYLOAD = 16 * 1024;
    public static final int VERSION = 2;
    private static final byte[] MAGIC = {'W', 'S', 'T', 'W'};
    private static final int REPLY = 0x81;

    /** A parsed frame header: the payload of {@code length} bytes follows. */
    public record Header(int type, int length) {}

    private Frames() {}

    public static byte[] encode(Message message) {
        return switch (message) {
            case Request r -> frame(r.kind().wire, List.of(r.walFileName(), r.path(), r.workingDirectory(),
                    r.configFingerprint()));
            case Reply r -> frame(REPLY, List.of(r.status().name(), r.error().map(ErrorCode::id).orElse(""),
                    r.reason()));
        };
    }

    /** Validates the first {@link #HEADER_LENGTH} bytes of a frame. */
    public static Header parseHeader(byte[] header) throws ProtocolException {
        if (header.length < HEADER_LENGTH) {
            throw new ProtocolException("frame header too short: " + header.length + " bytes");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (header[i] != MAGIC[i]) {
                throw new ProtocolException("not a walstow frame (bad magic)");
            }
        }
        if (header[4] != VERSION) {
            throw new ProtocolException("unsupported protocol version " + (header[4] & 0xff) + " (this side speaks "
                    + VERSION + "; agent and daemon must come from the same walstow release)");
        }
        int type = header[5] & 0xff;
        int length = ByteBuffer.wrap(header, 6, 4).getInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new ProtocolException("frame payload length " + length + " outside 0.." + MAX_PAYLOAD);
        }
        return new Header(type, length);
    }

    public static Message decodeBody(Header header, byte[] payload) throws ProtocolException {
        List<String> fields = fields(payload);
        if (header.type() == REPLY) {
            return reply(fields);
        }
        for (Request.Kind kind : Request.Kind.values()) {
            if (kind.wire == header.type()) {
                expect(fields, 4, kind.name());
                return new Request(kind, fields.get(0), fields.get(1), fields.get(2), fields.get(3));
            }
        }
        throw new ProtocolException("unknown frame type " + header.type());
    }

    /** Reads exactly one frame from a blocking stream (the agent side). */
    public static Message read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[HEADER_LENGTH];
        try {
            data.readFully(header);
            Header h = parseHeader(header);
            byte[] payload = new byte[h.length()];
            data.readFully(payload);
            return decodeBody(h, payload);
        } catch (EOFException e) {
            throw new ProtocolException("connection closed in the middle of a frame");
        }
    }

    private static Reply reply(List<String> fields) throws ProtocolException {
        expect(fields, 3, "REPLY");
        Reply.Status status;
        try {
            status = Reply.Status.valueOf(fields.get(0));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("unknown reply status " + fields.get(0));
        }
        Optional<ErrorCode> error = Optional.empty();
        if (!fields.get(1).isEmpty()) {
            error = errorCode(fields.get(1));
        }
        try {
            return new Reply(status, error, fields.get(2));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("inconsistent reply: " + e.getMessage());
        }
    }

    private static Optional<ErrorCode> errorCode(String id) throws ProtocolException {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.id().equals(id)) {
                return Optional.of(c);
            }
        }
        throw new ProtocolException("unknown error id " + id);
    }

    private static void expect(List<String> fields, int n, String what) throws ProtocolException {
        if (fields.size() != n) {
            throw new ProtocolException(what + " frame has " + fields.size() + " fields, expected " + n);
        }
    }

    private static byte[] frame(int type, List<String> fields) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (String f : fields) {
            byte[] b = f.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("field longer than 65535 bytes");
            }
            payload.write(b.length >> 8);
            payload.write(b.length);
            payload.writeBytes(b);
        }
        if (payload.size() > MAX_PAYLOAD) {
            throw new IllegalArgumentException("message larger than " + MAX_PAYLOAD + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + payload.size());
        out.put(MAGIC).put((byte) VERSION).put((byte) type).putInt(payload.size()).put(payload.toByteArray());
        return out.array();
    }

    private static List<String> fields(byte[] payload) throws ProtocolException {
        List<String> fields = new ArrayList<>(3);
        ByteBuffer in = ByteBuffer.wrap(payload);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        while (in.hasRemaining()) {
            if (in.remaining() < 2) {
                throw new ProtocolException("truncated field length");
            }
            int len = in.getShort() & 0xffff;
            if (len > in.remaining()) {
                throw new ProtocolException("field length " + len + " exceeds the frame");
            }
            ByteBuffer slice = in.slice(in.position(), len);
            in.position(in.position() + len);
            try {
                fields.add(decoder.decode(slice).toString());
            } catch (CharacterCodingException e) {
                throw new ProtocolException("field is not valid UTF-8");
            }
        }
        return fields;
    }
}
