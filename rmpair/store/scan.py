"""Listing a folder's files with their size, time and inode, as cheaply as possible.

A file whose signature is unchanged since it was last read is not read again; this
listing runs on every start, so it uses plain strings and ``os.scandir``.
"""

from __future__ import annotations

import os
from pathlib import Path

Signature = tuple[int, int, int]


def signature(entry: os.DirEntry[str] | Path) -> Signature:
    st = entry.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def scan(root: Path) -> dict[str, tuple[str, Signature]]:
    """Every file below ``root`` by relative path, except in hidden folders.

    Hidden folders are sync tools' own stores (.stversions, .stfolder, .dropbox.cache).
    Plain strings instead of pathlib: this runs on every start over hundreds of files.
    """
    found: dict[str, tuple[str, Signature]] = {}
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not name.startswith("."):
                        stack.append((entry.path, f"{prefix}{name}/"))
                elif entry.is_file():
                    st = entry.stat()
                    found[prefix + name] = (entry.path, (st.st_size, st.st_mtime_ns, st.st_ino))
            except OSError:
                continue
    return found


def listing_digest(listing: dict[str, Signature]) -> str:
    """A digest of a listing (path and signature of every file): the quick status keeps
    this instead of the listing itself, so storing it costs the same at any size."""
    from rmpair.store.cache import part_name

    text = "\n".join(f"{rel}\0{sig[0]}\0{sig[1]}\0{sig[2]}" for rel, sig in sorted(listing.items()))
    return part_name(text.encode("utf-8", "surrogateescape"))
