"""``python -m hub``: the same as the ``hub`` command (``hub serve`` starts sessions this way)."""

import sys

from hub.cli import main

sys.exit(main())
