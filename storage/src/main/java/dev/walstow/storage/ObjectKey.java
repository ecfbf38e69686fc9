package dev.walstow.storage;

import java.util.regex.Pattern;

/**
 * Object keys: {@code /}-separated components of {@code [A-Za-z0-9_-]} and dots, no empty component, no {@code .}
 * or {@code ..} component, no leading dot in a component (backends may keep private files there), at most 512
 * characters. Backends map keys to paths or URLs without escaping, so a valid key can never leave the repository.
 */
public final class ObjectKey {
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private ObjectKey() {}

    /**
     * @return {@code key} if valid
     * @throws StorageException of kind {@link StorageException.Kind#INVALID_KEY} otherwise
     */
    public static String validate(String key) throws StorageException {
        if (key == null || key.isEmpty() || key.length() > 512) {
            throw new StorageException(StorageException.Kind.INVALID_KEY, "invalid object key: " + key);
        }
        for (String component : key.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches() || component.equals("..")) {
                throw new StorageException(StorageException.Kind.INVALID_KEY, "invalid object key: " + key);
            }
        }
        return key;
    }
}
