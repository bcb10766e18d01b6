"""A fake RAPL tree whose package counter a helper process advances at FAKE_RAPL_WATTS."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.integration.helpers import FAKE_RAPL_WATTS


@pytest.fixture
def fake_rapl(tmp_path):
    root = tmp_path / "sys"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.power.fake_rapl", "--sysfs-root", str(root), "--watts", str(FAKE_RAPL_WATTS)],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    deadline = time.time() + 30
    while not (root / "class" / "powercap" / "intel-rapl:0").exists():
        assert time.time() < deadline and process.poll() is None, "fake RAPL did not start"
        time.sleep(0.05)
    yield str(root)
    process.terminate()
    process.wait()
