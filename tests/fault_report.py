"""``python -m tests.fault_report [SEED]``: run the fault suite once and print its verdicts as the
Markdown table of RELIABILITY.md, with the totals measured from this run."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sotevahti.mirror.faults import BY_NAME

from .fault_suite import SOURCES, run_fault_suite, verdicts


def main(seed: int = 13) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        suite = run_fault_suite(Path(tmp), seed)
        results = verdicts(suite)
    print(f"Fault suite, seed {seed}: sources {', '.join(SOURCES)}; crawls took "
          + ", ".join(f"{s:.1f} s" for s in suite.seconds) + "\n")
    print("| fault | must | shows in `status --json` as | kept | no false entry | shown |")
    print("|---|---|---|---|---|---|")
    for name, v in results.items():
        f = BY_NAME[name]
        mark = {True: "yes", False: "**NO**"}
        shown = f"`{f.shows_as}`" + (f" or `{f.also}`" if f.also else "")
        print(f"| `{name}` | {f.must} | {shown} | {mark[v['kept']]} | {mark[v['no_false_entry']]} "
              f"| {mark[v['shown']]} |")
    survived = sum(all((v["kept"], v["no_false_entry"], v["shown"])) for v in results.values())
    lost = len(suite.lost) + sum(not v["kept"] for v in results.values())
    false_entries = sum(not v["no_false_entry"] for v in results.values())
    print(f"\ncases tried: {len(results)}; faults survived: {survived}; items lost or corrupted: {lost} "
          f"(untouched items changed: {len(suite.untouched_changed)}); false entries: {false_entries}; "
          f"public files valid: {'yes' if suite.outputs_valid else 'NO: ' + '; '.join(suite.outputs_problems)}")
    if "-v" in sys.argv:
        for name, v in results.items():
            print(name, v["detail"])
        for row in suite.status_faulty:
            print(row["source"], row["errors"], row.get("warnings"), row.get("wire_errors"))
        import json
        for sid, counts in json.loads(suite.runs[1]["stdout"])["sources"].items():
            print(sid, counts)
        print(suite.runs[1]["stderr"][-3000:])
    return 0 if survived == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(int(next((a for a in sys.argv[1:] if a.isdigit()), "13"))))
