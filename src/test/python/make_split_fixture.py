"""Writes src/test/python/fixtures/split-parity.json from the code as it is now (run from the repository root):

    taskset -c 1 /usr/bin/python3 src/test/python/make_split_fixture.py

It was run once, on the code before degrade.py and evaluate.py were split (commit 382b836), so that
test_split_parity.py proves the split changed no output. See split_parity_cases.py before rerunning it.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "main", "python"))
sys.path.insert(0, HERE)

from split_parity_cases import cases, fingerprint  # noqa: E402

FIXTURE = os.path.join(HERE, "fixtures", "split-parity.json")


def main():
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    data = {k: fingerprint(v) for k, v in sorted(cases().items())}
    with open(FIXTURE, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"wrote {FIXTURE}: {len(data)} arrays")


if __name__ == "__main__":
    main()
