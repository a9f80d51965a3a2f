"""Insight cards: deterministic analyzers over what a read run gathered plus recent history.

    from kubechat_tui.engine.insights.runner import Insights
    cards = Insights.beside(pipeline).analyze(run)

Modules: `cards` (the card, light to import for the console), `snapshot` (one cluster's
objects and the lookups analyzers share), `gather` (the reads), `analyzers/` (one module
per analyzer), `runner` (the run), `summary` (an optional model-worded summary). Nothing
is imported here.
"""
