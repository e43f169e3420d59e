"""``python -m review export|import FILE``: see ``review.cli`` (also ``python -m etl reviews``)."""

import sys

from review.cli import main

sys.exit(main())
