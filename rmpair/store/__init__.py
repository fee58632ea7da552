"""Files and formats: atomic writes, the per-device logs, their merge, the cache,
sync leftovers and the encryption primitives.

The store knows records and changes, not the method's nouns (topic, session, ...);
it never imports the domain, the facade or any UI.
"""
