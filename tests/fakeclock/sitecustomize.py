"""Put on PYTHONPATH by tests/conftest.py: every Python process of a test run then lives at the
fake time in ``$SOTEVAHTI_FAKE_NOW`` (the clock ticks on from there), as the parent does."""

import os

if os.environ.get("SOTEVAHTI_FAKE_NOW"):
    import time_machine

    time_machine.travel(os.environ["SOTEVAHTI_FAKE_NOW"], tick=True).start()
