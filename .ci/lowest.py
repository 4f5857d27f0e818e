#!/usr/bin/env python3
"""Print pip constraints that pin every lower bound in requirements.txt: ``name>=X`` → ``name==X``.

CI installs the course with these constraints to test the oldest versions the requirements
admit (``pip install -c <(python3 .ci/lowest.py) -r requirements.txt``). Packages without a
lower bound (the test tools, jupyterlab) are left to pip. Standard library only.
"""

import re
import sys
from pathlib import Path

LOWER = re.compile(r"^([A-Za-z0-9_.-]+)\s*>=\s*([^,;\s#]+)")


def lowest_pins(requirements: str) -> list[str]:
    pins = []
    for line in requirements.splitlines():
        found = LOWER.match(line.split("#")[0].strip())
        if found:
            pins.append(f"{found.group(1)}=={found.group(2)}")
    return pins


if __name__ == "__main__":
    path = Path(
        sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "requirements.txt"
    )
    print("\n".join(lowest_pins(path.read_text(encoding="utf-8"))))
