"""Course: what a chapter needs besides the models.

- ``session``: seeds, the device, the plot style and ``show_source`` (every chapter).
- ``environment_check``: is everything the course needs installed? (chapter 00).
- ``expect``: outcome claims that warn in a live notebook and fail only in the tests.
- ``exercises``: the exercises and their automatic checks, one module per chapter.
"""
