"""Trellis core: the Qt-free part of the app (services, store, model engine).

Nothing under ``app`` may import PySide6; the command line and the core's
tests run without it.
"""

__version__ = "0.1.0"
