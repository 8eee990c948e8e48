"""`python -m engine` is the same as the `chatlog-vn` command."""

import sys

from engine.cli import main

sys.exit(main())
