"""Notes polished by a model see only the redacted draft; any failure keeps the draft."""

from __future__ import annotations

from kubechat_tui.engine.notes_polish import polish_notes

DRAFT = "## Summary\n\nledger down; DB_PASSWORD=Sup3rS3cret!x\n- [ ] @bob fix due 2026-12-10\n"


def test_the_model_sees_the_redacted_draft_and_its_text_is_used() -> None:
    prompts: list[str] = []

    def writer(prompt: str) -> str:
        prompts.append(prompt)
        return "## Summary\n\nThe ledger was down.\n- [ ] @bob fix due 2026-12-10"

    polished = polish_notes(DRAFT, writer)
    assert "Sup3rS3cret" not in prompts[0] and "@bob fix due 2026-12-10" in prompts[0]
    assert polished.text.startswith("## Summary\n\nThe ledger was down.")
    assert polished.note == "polished by the model from the redacted draft"


def test_no_model_a_failing_one_or_silence_keeps_the_draft() -> None:
    def failing(prompt: str) -> str:
        raise ConnectionError("ollama not running")

    assert polish_notes(DRAFT, None).text == DRAFT
    failed = polish_notes(DRAFT, failing)
    assert failed.text == DRAFT
    assert failed.note == "template draft (model unavailable: ConnectionError: ollama not running)"
    assert polish_notes(DRAFT, lambda prompt: "  ").note.endswith("(the model returned nothing)")
