"""Allow ``python -m casedesk``."""

from casedesk.cli import main

raise SystemExit(main())
