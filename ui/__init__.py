"""Trellis desktop window: PySide6 widgets over the Qt-free services in ``app``."""
