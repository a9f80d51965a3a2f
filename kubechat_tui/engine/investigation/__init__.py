"""Investigation with a model: after a question's diagnostics, the model may call read-only
tools (list, get, describe, events, logs, top), each run through the read path, and then
answers citing its evidence.

    from kubechat_tui.engine.investigation.loop import Investigator
    found = Investigator(reads, ModelClient(settings.ai), settings.ai).run(plan, run.results)
    found.to_json()      # {model, calls: [...], answer, citations, stopped}

Modules: `calls` (the tools as a JSON reply schema and as function definitions, and a
tool call checked into a read step or refused), `conversation` (the provider's tool
calling, or strict JSON replies), `prompt` (the messages, cluster data quoted as
untrusted), `loop` (the bounded run), `record` (what was asked, run, refused and answered;
light to import), `text` (for the CLI). Nothing is imported here.
"""
