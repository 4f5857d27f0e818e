"""Course: what a chapter needs besides the models.

- ``session``: seeds, the device, the plot style and ``show_source`` (every chapter).
- ``environment_check``: is everything the course needs installed? (chapter 00).
- ``exercises``: the exercises and their automatic checks, one module per chapter.
"""
