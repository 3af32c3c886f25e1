"""Put on PYTHONPATH by tests/conftest.py: every Python process of a test run then lives at the
fake time in ``$SOTEVAHTI_FAKE_NOW``, as the parent does. The clock ticks on from there, unless
``$SOTEVAHTI_FAKE_TICK`` is ``0``: then it stays at that moment, and the process reads no real
wall clock at all (``tests/test_clock.py`` starts its processes so)."""

import os

if os.environ.get("SOTEVAHTI_FAKE_NOW"):
    import time_machine

    time_machine.travel(os.environ["SOTEVAHTI_FAKE_NOW"], tick=os.environ.get("SOTEVAHTI_FAKE_TICK") != "0").start()
