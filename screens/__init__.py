"""The Textual user interface of rmpair, installed as ``rmpair.screens``."""
