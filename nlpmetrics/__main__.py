"""``python -m nlpmetrics``: the same as the ``nlpmetrics`` command."""

import sys

from nlpmetrics.cli import main

sys.exit(main())
