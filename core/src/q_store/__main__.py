"""``python -m q_store ...``: the q-store command, for environments where console scripts are
not on PATH yet (pyenv shims, for instance)."""

import sys

from q_store.cli import main

sys.exit(main())
