"""Investigation with a model: after a question's diagnostics, the model may call read-only
tools (list, get, describe, events, logs, top), each run through the read path, and then
answers citing its evidence.

    from kubechat_tui.engine.investigation.loop import Investigator
    found = Investigator(reads, ModelClient(settings.ai), settings.ai).run(plan, run.results)
    found.to_json()      # {model, calls: [...], answer, citations, stopped}

Modules: `calls` (the reply schema, and a tool call checked into a read step or refused),
`record` (what was asked, run, refused and answered; light to import), `prompt` (the
messages, cluster data quoted as untrusted), `loop` (the bounded run), `text` (for the
CLI). Nothing is imported here.
"""
