"""The split of degrade.py and evaluate.py changed no output: seeded results equal, bit for bit, those that the
code before the split fingerprinted in fixtures/split-parity.json (see split_parity_cases.py)."""
import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from split_parity_cases import degrade_cases, evaluate_cases, fingerprint  # noqa: E402

FIXTURE = os.path.join(HERE, "fixtures", "split-parity.json")


@pytest.fixture(scope="module")
def stored():
    with open(FIXTURE) as f:
        return json.load(f)


def assert_identical(stored, prefix, fresh):
    expected = sorted(k[len(prefix):] for k in stored if k.startswith(prefix))
    assert sorted(fresh) == expected
    wrong = []
    for name in expected:
        want, got = stored[prefix + name], fingerprint(fresh[name])
        if got != want:
            wrong.append(f"{name}: {got['dtype']} {got['shape']} sum {got['sum']!r}, stored {want['dtype']} "
                         f"{want['shape']} sum {want['sum']!r}")
    assert not wrong, "\n".join(wrong)


def test_degradations_bit_identical(stored):
    assert_identical(stored, "degrade.", degrade_cases())


def test_evaluation_bit_identical(stored):
    assert_identical(stored, "evaluate.", evaluate_cases())
