"""Placeholder: the owning engineer replaces this module."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register this subcommand (not yet built)."""
