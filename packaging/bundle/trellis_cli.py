"""Entry script of the bundled ``trellis`` command (the Qt-free command line)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
