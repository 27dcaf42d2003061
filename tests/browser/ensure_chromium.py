"""Install Debian's Chromium for the browser tests when it is missing.

Run by tox before the tests. Installs only where that is possible without
asking (root with apt-get); otherwise it says why, and the browser tests
skip locally (CI fails instead, see conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def main() -> int:
    if shutil.which("chromium") or os.environ.get("WILLKOMMEN_CHROMIUM"):
        return 0
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print(
            "ensure_chromium: Chromium missing and cannot install it here (need root and apt-get)"
        )
        return 0
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("ensure_chromium: installing Debian's chromium ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    return 0 if result.returncode == 0 else (1 if os.environ.get("CI", "").lower() == "true" else 0)


if __name__ == "__main__":
    sys.exit(main())
