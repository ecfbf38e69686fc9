package dev.walstow.runtime;

/** walstow's version, from the jar's manifest; "development" when run from classes (tests, an IDE). */
public final class Version {
    private Version() {}

    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
