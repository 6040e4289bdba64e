"""`python -m tui` does what the `cypkg` console script does."""

from tui.cli import main

raise SystemExit(main())
