# Sourced by the launchers in bin/: builds the platform-driver distribution on first
# use (or when sources changed since the last build) and runs a main class from it.
# shellcheck shell=bash
PLATFORMD_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORMD_JAR="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar"
PLATFORMD_LIB="$PLATFORMD_HOME/platform-driver/target/lib"

platformd_needs_build() {
  [ -f "$PLATFORMD_JAR" ] || return 0
  # Any source or pom newer than the jar means the jar is stale.
  [ -n "$(find "$PLATFORMD_HOME" -path '*/target' -prune -o -path '*/node_modules' -prune -o \
        \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$PLATFORMD_JAR" -print -quit)" ]
}

platformd_build() {
  command -v mvn >/dev/null 2>&1 || { echo "platformd: Maven (mvn) is needed to build on first use: apt-get install maven" >&2; exit 2; }
  command -v java >/dev/null 2>&1 || { echo "platformd: a JDK 17+ is needed: apt-get install openjdk-17-jdk-headless" >&2; exit 2; }
  echo "platformd: building (first use or sources changed)..." >&2
  local log
  log="$(mktemp "${TMPDIR:-/tmp}/platformd-build.XXXXXX")"
  # Maven's output goes to a log shown only when the build fails: a working build stays quiet.
  if ! (cd "$PLATFORMD_HOME" && mvn -B -q -DskipTests -Dmaven.test.skip=true -pl platform-driver -am package) \
      > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "platformd: build failed (full log: $log)" >&2
    exit 2
  fi
  rm -f "$log"
  touch "$PLATFORMD_JAR"
}

platformd_run() { # main-class args...
  local main="$1"; shift
  if platformd_needs_build; then
    # Two launchers started at once must not build into the same target/ folders together:
    # the second waits for the first and then finds nothing left to do.
    exec 9>"$PLATFORMD_HOME/.build.lock"
    flock 9
    if platformd_needs_build; then platformd_build; fi
    flock -u 9
    exec 9>&-
  fi
  exec java ${PLATFORMD_JAVA_OPTS:-} -cp "$PLATFORMD_JAR:$PLATFORMD_LIB/*" "$main" "$@"
}
