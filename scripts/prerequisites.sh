# shellcheck shell=bash
# Shared by test.sh and demo.sh: find JDK 25 and install the Debian packages walstow's tests and demo use.

ensure_java() {
    if [ -z "${JAVA_HOME:-}" ] || ! grep -qs '^JAVA_VERSION="2[5-9]' "$JAVA_HOME/release"; then
        for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
            if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
        done
    fi
    if [ -z "${JAVA_HOME:-}" ] || ! grep -qs '^JAVA_VERSION="2[5-9]' "$JAVA_HOME/release"; then
        echo "walstow: a JDK 25 is required to build. HINT: install Temurin 25 (/usr/lib/jvm/temurin-25-jdk-amd64)" \
             "or set JAVA_HOME to a JDK 25" >&2
        exit 1
    fi
    export PATH="$JAVA_HOME/bin:$PATH"
}

ensure_packages() {
    local missing=()
    command -v mvn >/dev/null || missing+=(maven)
    command -v gpg >/dev/null || missing+=(gnupg)
    command -v zstd >/dev/null || missing+=(zstd)
    command -v runuser >/dev/null || missing+=(util-linux)
    # bin/walstow, the launcher PostgreSQL runs per WAL file, is a small C program built with the package.
    command -v gcc >/dev/null || missing+=(gcc)
    [ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
    # The PostgreSQL 13-18 builds the version matrix test runs come as .txz archives.
    command -v xz >/dev/null || missing+=(xz-utils)
    [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15 postgresql-client-15)
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "walstow: missing packages: ${missing[*]}. HINT: sudo apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
        echo "walstow: installing ${missing[*]} ..." >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! id postgres >/dev/null 2>&1; then
        echo "walstow: the postgres OS user is missing. HINT: apt-get install -y postgresql-15" >&2
        exit 1
    fi
}

ensure_prerequisites() {
    ensure_packages
    ensure_java
}
