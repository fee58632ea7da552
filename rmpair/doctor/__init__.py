"""``rmpair doctor``: what is wrong with the journal folder and what to do about it.
``checks.py`` runs the checks, ``files.py`` explains single files, ``report.py``
holds the findings."""
