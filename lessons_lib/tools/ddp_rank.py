"""The program that ``torchrun`` starts once per rank (chapter 10): it runs
:func:`lessons_lib.training.distributed.main`. Start it with ``python -m lessons_lib ddp``."""

import os
import sys

from ..training.distributed import main

if __name__ == "__main__":
    code = main()  # an error raises before this line: its traceback reaches torchrun's report
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # everything is saved and printed: skip the seconds of tearing down torch
