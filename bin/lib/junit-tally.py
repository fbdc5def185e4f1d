#!/usr/bin/env python3
"""junit-tally.py STAMP DIR: what the Maven reactor's tests did, from the surefire/failsafe XML reports.

Reads every */target/surefire-reports/TEST-*.xml and */target/failsafe-reports/TEST-*.xml under DIR written
after the file STAMP (so reports left by an earlier run are not counted), and prints:
  line 1:  "N tests, F failed, E errors, S skipped (R report files)"
  then one line per skip reason: "  skipped K: REASON" (the <skipped message>, e.g. an assumption's text),
  most frequent first, with the test classes it came from.
Exit status 0; 3 when there is no report at all (a Maven run that ran no tests is not a pass).
bin/test uses it after each Maven step; python3's standard library only.
"""
import collections
import glob
import os
import sys
import xml.etree.ElementTree as ET


def main(stamp, root):
    since = os.path.getmtime(stamp)
    files = [f for pattern in ("**/target/surefire-reports/TEST-*.xml", "**/target/failsafe-reports/TEST-*.xml")
             for f in glob.glob(os.path.join(root, pattern), recursive=True) if os.path.getmtime(f) >= since]
    tests = failed = errors = skipped = 0
    reasons = collections.Counter()
    classes = collections.defaultdict(set)
    unreadable = []
    for f in sorted(files):
        try:
            suite = ET.parse(f).getroot()
        except ET.ParseError as e:
            unreadable.append(f"{f}: {e}")
            continue
        for case in suite.iter("testcase"):
            tests += 1
            if case.find("failure") is not None:
                failed += 1
            elif case.find("error") is not None:
                errors += 1
            else:
                skip = case.find("skipped")
                if skip is not None:
                    skipped += 1
                    reason = " ".join((skip.get("message") or skip.text or "no reason given").split())[:160]
                    reasons[reason] += 1
                    classes[reason].add(case.get("classname", "?").rsplit(".", 1)[-1])
    print(f"{tests} tests, {failed} failed, {errors} errors, {skipped} skipped ({len(files)} report files)")
    for reason, n in reasons.most_common():
        names = sorted(classes[reason])
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        print(f"  skipped {n}: {reason} [{shown}]")
    for u in unreadable:
        print(f"  unreadable report {u}")
    return 0 if files else 3


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
