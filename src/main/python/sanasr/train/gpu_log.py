"""The GPU job's log: ``train.jsonl`` = the job's own records + every stage's JSON-lines log, mirrored every
20 s so that a killed call still brings its log back."""
from __future__ import annotations

import json
import os
import threading
import time
from typing import List

from . import common as C

LOG = "train.jsonl"


class LogMirror:
    """Keeps ``out/train.jsonl`` = job records + every stage's JSON-lines log, refreshed every ``period`` s."""

    def __init__(self, run: str, out: str, period: float = 20.0):
        self.run, self.path, self.period = run, os.path.join(out, LOG), period
        self.job_records: List[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sync()

    def record(self, **rec):
        rec["time"] = round(time.time(), 3)
        line = json.dumps(rec)
        print(line, flush=True)
        with self._lock:
            self.job_records.append(line)
        self.sync()

    def sync(self):
        with self._lock:
            lines = list(self.job_records)
            for st in C.STAGES:
                p = os.path.join(self.run, f"{st}.jsonl")
                if os.path.exists(p):
                    with open(p) as f:
                        lines += [l.rstrip("\n") for l in f if l.strip()]
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(tmp, self.path)

    def _loop(self):
        while not self._stop.wait(self.period):
            self.sync()
