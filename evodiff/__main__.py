"""``python -m evodiff``: the same as the ``evodiff`` command."""

import sys

from .cli import main

sys.exit(main())
