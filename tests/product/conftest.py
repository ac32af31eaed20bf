"""Makes ``product_kit`` (this folder's helpers) importable by the test modules beside it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
