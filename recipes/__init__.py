"""Bundled recipes (YAML runbooks), installed as the package data `kubechat_tui.recipes`."""
