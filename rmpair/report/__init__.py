"""The programme's report: the data it shows, how it is built, one renderer per format.

``model`` holds the plain ``Report`` and its JSON form; ``build`` fills one from the
journal; ``markdown``, ``html`` and ``terminal`` only format it, with the words they
share in ``common`` and the pictures in ``charts``; ``formats`` picks a renderer by
name. Renderers never see the journal, so every form shows the same figures.
"""
