"""Entry script of the bundled ``trellis-desktop`` window."""

import sys

from ui.main import main

if __name__ == "__main__":
    sys.exit(main())
