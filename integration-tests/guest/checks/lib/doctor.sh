# Sourced by the doctor checks: runs `platformctl doctor --json` against a daemon on --backend linux and
# compares each check's verdicts with the expected ones.
# shellcheck shell=bash

# run_doctor OUT ARGS...: platformctl doctor --json ARGS > OUT; fails the check on exit status 2 (misuse).
# Sets DOCTOR_STATUS (0 no FAIL, 1 some FAIL).
run_doctor() {
  local out="$1"; shift
  DOCTOR_STATUS=0
  "$PLATFORMD_HOME/bin/platformctl" doctor --json "$@" > "$out" 2> "$out.err" || DOCTOR_STATUS=$?
  [ "$DOCTOR_STATUS" -ne 2 ] || fail "platformctl doctor: $(head -1 "$out.err")"
  jq -e '.verdicts | length > 0' "$out" > /dev/null || fail "platformctl doctor --json printed no verdicts"
  jq -r '.verdicts[] | "\(.level)\t\(.check)\t\(.finding)" + (if .fix == "" then "" else "\n\t\tfix: \(.fix)" end)' "$out"
}

# expect_verdict OUT CHECK LEVEL [TEXT]: some verdict of CHECK has LEVEL and (when given) a finding containing TEXT,
# and no verdict of CHECK is FAIL unless LEVEL is FAIL.
expect_verdict() {
  local out="$1" check="$2" level="$3" text="${4:-}"
  jq -e --arg c "$check" --arg l "$level" --arg t "$text" \
    '[.verdicts[] | select(.check == $c and .level == $l and (.finding | contains($t)))] | length > 0' "$out" > /dev/null \
    || fail "doctor: no $level verdict from $check${text:+ containing '$text'} (got: $(jq -r --arg c "$check" \
         '[.verdicts[] | select(.check == $c) | "\(.level): \(.finding)"] | join(" / ")' "$out"))"
  if [ "$level" != FAIL ]; then
    jq -e --arg c "$check" '[.verdicts[] | select(.check == $c and .level == "FAIL")] | length == 0' "$out" > /dev/null \
      || fail "doctor: $check has a FAIL verdict: $(jq -r --arg c "$check" \
           '[.verdicts[] | select(.check == $c and .level == "FAIL") | .finding] | join(" / ")' "$out")"
  fi
}
