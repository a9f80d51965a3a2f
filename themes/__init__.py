"""Bundled Textual themes (YAML), installed as the package data `kubechat_tui.themes`."""
