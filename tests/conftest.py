"""Test settings shared by the unit tests and the notebooks run under nbval.

Set before any kernel starts, so the notebooks inherit them: widget demos draw once
statically (COURSE_DESIGN.md section 9) and tqdm writes no progress bars.
"""

import os

from lessons_lib.notebooks import TEST_ENVIRONMENT

os.environ.update(TEST_ENVIRONMENT)
os.environ.setdefault("MPLBACKEND", "Agg")
