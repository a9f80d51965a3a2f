"""Allow `python -m kubechat_tui`."""

from kubechat_tui.cli.main import main

raise SystemExit(main())
