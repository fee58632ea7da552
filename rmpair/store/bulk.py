"""A pause of Python's cyclic garbage collector while the store builds many objects.

Reading a long journal (a checkpoint, a first read, the cache's parts) makes hundreds
of thousands of dicts and lists that all stay alive. Every few hundred allocations the
collector walks the young ones again, and now and then all of them: on a cold merge of
100k changes that was about half of the time. What a read builds holds no reference
cycles, so the pause loses nothing; the collector runs as usual once it is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def many_objects() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested blocks keep the outer pause)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
