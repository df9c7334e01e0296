"""``python -m devstack`` (``make dev``): see :mod:`devstack.stack`."""

from devstack.stack import main

raise SystemExit(main())
