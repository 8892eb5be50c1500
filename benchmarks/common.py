"""What the benchmark scripts share: the command that runs handouts, and timing a fresh process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

# The installed console script, exactly as a therapist runs it; `python -m handouts` as a fallback.
_SCRIPT = Path(sys.executable).with_name("handouts")
HANDOUTS = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "handouts"]


def timed(cmd: list[str], env: dict) -> float:
    """Wall time of one fresh process, start to exit; raises if it fails."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start
