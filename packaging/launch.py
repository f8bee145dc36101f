"""Entry script for the frozen app: the same ``main`` as the ``sendobserve`` command."""

import sys

from sendobserve.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
