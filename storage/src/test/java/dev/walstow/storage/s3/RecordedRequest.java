package dev.walstow.storage.s3;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The head of one HTTP request as it went over the wire (recorded by {@link FaultProxy}): method, target and
 * headers, names lower-cased. Every value of a repeated header is kept, so "exactly one" can be checked.
 *
 * @param method e.g. {@code PUT}
 * @param target path and query, e.g. {@code /bucket/key?partNumber=1&uploadId=...}
 * @param headers lower-cased name to its values in order
 */
public record RecordedRequest(String method, String target, Map<String, List<String>> headers) {

    static RecordedRequest parse(byte[] head) {
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new RecordedRequest(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", headers);
    }

    /** The head with any {@code Connection} header replaced by {@code Connection: close}. */
    static byte[] withConnectionClose(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder();
        for (String line : text.substring(0, text.length() - 4).split("\r\n")) {
            if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                out.append(line).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The single value of header {@code name}; empty if absent. Fails if it was sent more than once. */
    public Optional<String> header(String name) {
        List<String> values = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        if (values.size() > 1) {
            throw new AssertionError(name + " sent " + values.size() + " times in " + this);
        }
        return values.stream().findFirst();
    }

    /** Names of the headers starting with {@code prefix}. */
    public List<String> headersStartingWith(String prefix) {
        return headers.keySet().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** Whether the query has parameter {@code name} (with or without a value). */
    public boolean hasQueryParameter(String name) {
        int q = target.indexOf('?');
        if (q < 0) {
            return false;
        }
        for (String p : target.substring(q + 1).split("&")) {
            if (p.equals(name) || p.startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The S3 operation this request is, for the ones walstow sends: {@code PutObject}, {@code CreateMultipartUpload},
     * {@code UploadPart}, {@code CompleteMultipartUpload}, {@code AbortMultipartUpload}, {@code ListMultipartUploads},
     * {@code GetObject}, {@code HeadObject}, {@code DeleteObject}, {@code ListObjectsV2}, {@code HeadBucket}.
     */
    public String operation() {
        boolean upload = hasQueryParameter("uploadId");
        String path = path().endsWith("/") ? path().substring(0, path().length() - 1) : path();
        boolean bucketOnly = path.indexOf('/', 1) < 0; // path-style: /bucket or /bucket/key
        return switch (method) {
            case "PUT" -> upload ? "UploadPart" : "PutObject";
            case "POST" -> hasQueryParameter("uploads") ? "CreateMultipartUpload"
                    : upload ? "CompleteMultipartUpload" : "Post";
            case "DELETE" -> upload ? "AbortMultipartUpload" : "DeleteObject";
            case "GET" -> hasQueryParameter("uploads") ? "ListMultipartUploads"
                    : bucketOnly ? "ListObjectsV2" : "GetObject";
            case "HEAD" -> bucketOnly ? "HeadBucket" : "HeadObject";
            default -> method;
        };
    }

    @Override
    public String toString() {
        return method + " " + target + " " + headers;
    }
}
