"""The read path: a plan's read-only steps run guarded, concurrently and audited.

    from kubechat_tui.engine.diagnostics.path import ReadPath
    run = ReadPath.beside(pipeline).run(plan, on_result=show)
    run.results[0].to_json()      # {step, cluster, ok, error, kind, output}

Modules: `path` (the run), `guardrails` (policy and RBAC for reads), `fanout` (concurrency
and the per-cluster deadline), `requests` (GET-only, recorded requests), `readers` (one
per verb), `results` (what people see, light to import; `StepResult.evidence` is the input
of insight analyzers), `text` (results as plain text for the CLI). Nothing is imported
here, so the console can import `results` without the engine.
"""
