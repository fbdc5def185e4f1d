# Sourced by the launchers in bin/: builds the platform-driver distribution on first
# use (or when sources changed since the last build), makes a class-data archive of the
# launcher's classes on first use (or when the jar changed; an AOT cache on JDK 25+), and runs a main
# class from it with $JAVA_HOME's java (else java on PATH).
# shellcheck shell=bash
# The launchers source this file by its resolved, absolute path: the home is that path less bin/lib/launch.sh,
# found by bash itself (a `cd`/`dirname`/`pwd` subshell costs forks a short command cannot spare).
case "${BASH_SOURCE[0]}" in
  /*/bin/lib/launch.sh) PLATFORMD_HOME="${BASH_SOURCE[0]%/bin/lib/launch.sh}" ;;
  *) PLATFORMD_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)" ;;
esac
PLATFORMD_JAR="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar"
PLATFORMD_LIB="$PLATFORMD_HOME/platform-driver/target/lib"
# Class-data archives live beside the jar they were made from: a fresh clone (or `mvn clean`) makes new ones.
PLATFORMD_CDS_DIR="$PLATFORMD_HOME/platform-driver/target/cds"
# The JVM: $JAVA_HOME/bin/java when JAVA_HOME is set (as Maven does; a JAVA_HOME without one is an error,
# not a silent switch to another JVM), else java on PATH.
if [ -n "${JAVA_HOME:-}" ]; then
  PLATFORMD_JAVA="$JAVA_HOME/bin/java"
  [ -x "$PLATFORMD_JAVA" ] || { echo "platformd: JAVA_HOME=$JAVA_HOME has no bin/java: unset it or point it at a JDK 17+" >&2; exit 2; }
else
  PLATFORMD_JAVA=java
fi

platformd_needs_build() {
  [ -f "$PLATFORMD_JAR" ] || return 0
  # Any source or pom newer than the jar means the jar is stale (.git, tests, build output and npm trees
  # are not looked into: most of what the walk would otherwise read on every start).
  [ -n "$(find "$PLATFORMD_HOME" \( -path '*/target' -o -path '*/node_modules' -o -path '*/src/test' \
        -o -path "$PLATFORMD_HOME/.git" \) -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -type f \
        -newer "$PLATFORMD_JAR" -print -quit)" ]
}

platformd_build() {
  command -v mvn >/dev/null 2>&1 || { echo "platformd: Maven (mvn) is needed to build on first use: apt-get install maven" >&2; exit 2; }
  command -v "$PLATFORMD_JAVA" >/dev/null 2>&1 || { echo "platformd: a JDK 17+ is needed: apt-get install openjdk-17-jdk-headless" >&2; exit 2; }
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

# --- Class-data sharing -------------------------------------------------------------------------
# A JVM spends most of a short command's CPU loading, verifying and linking classes. Two of the
# JDK's own means keep that work from one start to the next:
#   * on JDK 25 and later, an AOT cache (JEP 483/514/515: -XX:AOTCacheOutput, then -XX:AOTCache):
#     the classes loaded and linked, lambdas and string concatenations resolved, method profiles;
#   * on older JDKs (or when making the AOT cache failed), a dynamic class-data archive
#     (-XX:ArchiveClassesAtExit, JDK 13+, then -XX:SharedArchiveFile): the classes parsed and verified.
# Either is made once per launcher, JVM and flags by a training run of a fixed command (not the
# user's: its output is not captured and its exit does not decide), into a temporary file renamed
# into place under a lock, so two launchers started together never map a half-written one. A jar
# newer than the archive makes a new one (the JVM would refuse the old: it checks the class path's
# jars). Nothing happens where target/ is read-only (an installed copy, the QEMU guest): such runs
# use an archive that is there or none. PLATFORMD_CDS=off turns it off; PLATFORMD_JAVA_OPTS naming
# its own archive, cache or -Xshare wins.

# platformd_java_major JDK-HOME: sets PLATFORMD_JAVA_MAJOR to the feature version in the JDK's
# `release` file (0 when it cannot tell): read by bash, not by starting `java -version` (~0.05 s).
platformd_java_major() {
  local line v=0
  if [ -r "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v="${line#JAVA_VERSION=}"; v="${v//\"/}"; v="${v%%[._+-]*}"; break ;; esac
    done < "$1/release"
  fi
  case "$v" in ''|*[!0-9]*) v=0 ;; esac
  PLATFORMD_JAVA_MAJOR="$v"
}

# platformd_java_resolve: sets PLATFORMD_JAVA_REAL to the JVM's real path (an archive is only good for the JVM
# that made it) and PLATFORMD_JAVA_MAJOR to its feature version. `hash` finds java on PATH without a subshell;
# one readlink resolves the alternatives' symlinks.
platformd_java_resolve() {
  local java="$PLATFORMD_JAVA"
  case "$java" in
    */*) ;;
    *) hash "$java" 2>/dev/null && java="${BASH_CMDS[$java]}" ;;
  esac
  PLATFORMD_JAVA_REAL="$(readlink -f "$java")"
  platformd_java_major "${PLATFORMD_JAVA_REAL%/bin/java}"
}

# platformd_cds_archive NAME JAVA: sets PLATFORMD_CDS_ARCHIVE to the archive path (without its .aot or
# .jsa) for this launcher, JVM and $PLATFORMD_JAVA_OPTS. The key is a 32-bit FNV-1a hash computed by bash
# itself (a command that answers in a quarter of a second cannot spend forks on cksum and cut) over those
# two only: the launcher's own flags live in its script and in this file, and an archive older than
# either is made again (platformd_cds_stale), which costs two stats instead of hashing ~300 characters.
platformd_cds_archive() {
  local name="$1"
  local text i c hash=2166136261
  printf -v text '%s\n' "$2" "${PLATFORMD_JAVA_OPTS:-}"
  for ((i = 0; i < ${#text}; i++)); do
    printf -v c '%d' "'${text:i:1}"
    hash=$(( ((hash ^ c) * 16777619) & 0xffffffff ))
  done
  PLATFORMD_CDS_ARCHIVE="$PLATFORMD_CDS_DIR/$name-$hash"
}

# platformd_cds_stale FILE: true when FILE (an archive, or its .failed mark) is missing or not newer than
# the jar, the launcher script that runs it ($0) and this file (which hold the flags it was made with).
platformd_cds_stale() {
  [ ! "$1" -nt "$PLATFORMD_JAR" ] || [ ! "$1" -nt "$0" ] || [ ! "$1" -nt "${BASH_SOURCE[0]}" ]
}

# platformd_cds_train NAME ARCHIVE FLAGS... -- MAIN: runs NAME's training command into a temporary
# file and renames it to ARCHIVE when it is whole: an AOT cache when ARCHIVE ends in .aot (the JVM
# writes it after the command exits, in a second JVM it starts itself), else a dynamic archive.
platformd_cds_train() {
  local name="$1" archive="$2"; shift 2
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  local main="$2"
  local tmp="$archive.$$.tmp" log="$archive.log" cp="$PLATFORMD_JAR:$PLATFORMD_LIB/*" out
  case "$archive" in
    *.aot) out=-XX:AOTCacheOutput="$tmp" ;;
    *) out=-XX:ArchiveClassesAtExit="$tmp" ;;
  esac
  # A JVM that crashes while writing (one did: see platformd_cds_flags) leaves its hs_err report
  # beside the log, not in the user's working directory.
  # shellcheck disable=SC2206  # PLATFORMD_JAVA_OPTS is a list of flags
  local dump=("$PLATFORMD_JAVA" "${flags[@]}" ${PLATFORMD_JAVA_OPTS:-} "$out"
              -XX:ErrorFile="$archive.hs_err_pid%p.log" -cp "$cp" "$main")
  case "$name" in
    platformctl)
      # Enumeration (sysfs), decoding, pci.ids names and lspci's text: what `platformctl lspci` loads.
      "${dump[@]}" lspci -vv > /dev/null 2> "$log" ;;
    platformd)
      # A daemon on the emulated machine, started until it listens and stopped by SIGTERM.
      local run
      run="$(mktemp -d "${TMPDIR:-/tmp}/platformd-cds.XXXXXX")"
      "${dump[@]}" --socket "$run/platformd.sock" > "$run/out" 2> "$log" &
      local pid=$! i
      for i in $(seq 1 600); do
        grep -q "platformd listening on" "$run/out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      rm -rf "$run" ;;
    *) return 1 ;;
  esac
  # The exit status says nothing for an AOT cache: the training JVM exits 0 even when the JVM it
  # started to write the cache crashed, leaving an empty file. A non-empty file is the test.
  if [ -s "$tmp" ]; then
    mv -f "$tmp" "$archive"
    rm -f "$log" "$tmp.config"
  else
    rm -f "$tmp" "$tmp.config"
    case "$archive" in
      *.aot) echo "platformd: no AOT cache for $name (see $log); a class-data archive instead" >&2 ;;
      *) echo "platformd: no class-data archive for $name (see $log); it starts slower" >&2 ;;
    esac
    touch "$archive.failed"
  fi
}

# platformd_cds_flags NAME MAIN FLAGS...: sets PLATFORMD_CDS_FLAGS to the flag that maps the archive
# (empty for none), training it first when it is stale (platformd_cds_stale) and target/ is writable. A
# variable, not printed into a $(...): that subshell is a fork, ~5 ms of a command meant to take 0.25 s.
# On JDK 25+ that is the AOT cache and, when making it failed, the dynamic archive (Temurin 25.0.3 crashed
# assembling a cache whose training had linked a lambda returning a class of a pre-Java 6 class
# file, picocli's HelpCommand::new: PlatformCtl no longer makes one, and the fallback covers the next).
platformd_cds_flags() {
  local name="$1" main="$2"; shift 2
  PLATFORMD_CDS_FLAGS=
  [ "${PLATFORMD_CDS:-on}" != off ] || return 0
  case " ${PLATFORMD_JAVA_OPTS:-} " in
    *" -XX:SharedArchiveFile="*|*" -Xshare:"*|*" -XX:ArchiveClassesAtExit="*|*" -XX:AOTCache="* \
    |*" -XX:AOTCacheOutput="*|*" -XX:AOTMode="*|*" -XX:AOTConfiguration="*) return 0 ;;
  esac
  local kinds=(jsa) kind archive
  [ "$PLATFORMD_JAVA_MAJOR" -lt 25 ] || kinds=(aot jsa)
  platformd_cds_archive "$name" "$PLATFORMD_JAVA_REAL"
  for kind in "${kinds[@]}"; do
    archive="$PLATFORMD_CDS_ARCHIVE.$kind"
    if platformd_cds_stale "$archive" && platformd_cds_stale "$archive.failed" \
       && mkdir -p "$PLATFORMD_CDS_DIR" 2>/dev/null && [ -w "$PLATFORMD_CDS_DIR" ]; then
      exec 8>"$PLATFORMD_CDS_DIR/.lock"
      flock 8
      if platformd_cds_stale "$archive" && platformd_cds_stale "$archive.failed"; then
        # Archives of older jars are of no use any more (other JVMs' archives of this jar stay).
        find "$PLATFORMD_CDS_DIR" -maxdepth 1 -name "$name-*" ! -newer "$PLATFORMD_JAR" -delete
        rm -f "$archive.failed"
        echo "platformd: making a class-data archive ($kind) for $name (first use, or the jar or launcher changed)..." >&2
        platformd_cds_train "$name" "$archive" "$@" -- "$main"
      fi
      flock -u 8
      exec 8>&-
    fi
    # An archive of this jar is used even when the launcher is newer and target/ is read-only: the JVM
    # checks the class path and the flags that matter itself, and runs without an archive that does not fit.
    if [ "$archive" -nt "$PLATFORMD_JAR" ]; then
      case "$kind" in
        aot) PLATFORMD_CDS_FLAGS="-XX:AOTCache=$archive" ;;
        *) PLATFORMD_CDS_FLAGS="-XX:SharedArchiveFile=$archive" ;;
      esac
      return 0
    fi
    # The next kind only when this one failed (not when target/ is read-only and holds none).
    [ "$archive.failed" -nt "$PLATFORMD_JAR" ] || return 0
  done
}

# platformd_run NAME MAIN-CLASS [JVM-FLAGS...] -- ARGS...: builds if needed, then runs MAIN-CLASS
# with the JVM flags, the class-data archive and ARGS.
platformd_run() {
  local name="$1" main="$2"; shift 2
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  if platformd_needs_build; then
    # Two launchers started at once must not build into the same target/ folders together:
    # the second waits for the first and then finds nothing left to do.
    exec 9>"$PLATFORMD_HOME/.build.lock"
    flock 9
    if platformd_needs_build; then platformd_build; fi
    flock -u 9
    exec 9>&-
  fi
  # SLF4J finds its provider by scanning every jar on the class path for a service file (~0.04 s of
  # each start); naming slf4j-simple's skips the scan, and the verbosity keeps it from saying so.
  flags+=(-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider -Dslf4j.internal.verbosity=WARN)
  platformd_java_resolve
  # JDK 22 and later warn on stderr, at every start, when a library on the class path loads native code (jffi
  # for libc, Netty's epoll) unless native access is granted: it is what these libraries are for. (Not on older
  # JDKs: 17 knows the flag only for its incubating foreign API.)
  [ "$PLATFORMD_JAVA_MAJOR" -lt 22 ] || flags+=(--enable-native-access=ALL-UNNAMED)
  # JDK 24 and later warn likewise when protobuf's runtime uses sun.misc.Unsafe (JEP 471/498), which it still
  # does where it finds it; allowing it keeps that warning off every start until protobuf moves on.
  [ "$PLATFORMD_JAVA_MAJOR" -lt 24 ] || flags+=(--sun-misc-unsafe-memory-access=allow)
  platformd_cds_flags "$name" "$main" ${flags[@]+"${flags[@]}"}
  # shellcheck disable=SC2086  # PLATFORMD_JAVA_OPTS is a list of flags
  # PLATFORMD_JAVA_OPTS after the launcher's flags: where both set one (e.g. -Xmx), the user's wins.
  exec "$PLATFORMD_JAVA" ${flags[@]+"${flags[@]}"} ${PLATFORMD_JAVA_OPTS:-} $PLATFORMD_CDS_FLAGS -cp "$PLATFORMD_JAR:$PLATFORMD_LIB/*" "$main" "$@"
}
