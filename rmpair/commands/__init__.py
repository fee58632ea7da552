"""Sub-apps of the command line, one module per noun, loaded by ``rmpair.cli`` on demand."""
