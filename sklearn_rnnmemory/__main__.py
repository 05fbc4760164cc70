"""``python -m sklearn_rnnmemory`` runs the ``rnnmemory`` command line."""

import sys

from .cli import main

sys.exit(main())
