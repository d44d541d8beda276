"""The runtime probe: import each first-party module in an isolated process of the
target interpreter (``child.py``, run by ``runner.py``'s pool) and judge what happened
(``probe/findings.py``). Nothing here imports the analysed code into this process."""
