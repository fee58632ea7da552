"""The journal's plain data: records as dataclasses, one codec between records and
stored fields, and the schema every change from the shared folder is checked against.

Imports nothing from the rest of rmpair but the clock, errors and i18n helpers.
"""
