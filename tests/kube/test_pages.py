"""Lazily parsed list pages and the row reader's fast path, against the careful path."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.kinds import KINDS, TableReader, reader_for
from kubechat_tui.kube.pages import position, read_page
from tests.kube.test_wire_samples import SAMPLES, body

SAMPLE_TABLES = ("05-podlist-table-metadata.txt", "09-nodes-table.txt",
                 "11-deployments-table.txt")
KIND_OF = {"05": "pods", "09": "nodes", "11": "deployments"}


@pytest.mark.skipif(not SAMPLES.exists(), reason="wire samples not on this machine")
@pytest.mark.parametrize("sample", SAMPLE_TABLES)
def test_a_lazy_page_gives_the_rows_of_the_parsed_json(sample: str) -> None:
    """Real server tables (int cells, cluster-scoped rows) read the same either way."""
    kind = KINDS[KIND_OF[sample[:2]]]
    raw = orjson.dumps(body(sample))
    expected = reader_for(kind).rows("real", orjson.loads(raw))
    doc = read_page("real", 200, raw)
    assert reader_for(kind).rows("real", doc) == expected
    assert all(isinstance(value, str) for _, row in expected for value in row)


def test_position_reads_the_continue_token_and_version() -> None:
    page = orjson.dumps({"metadata": {"continue": "abc", "resourceVersion": "42"}, "rows": []})
    assert position(read_page("c", 200, page)) == ("abc", "42")
    last = orjson.dumps({"metadata": {"resourceVersion": "43"}, "items": []})
    assert position(read_page("c", 200, last)) == (None, "43")


def test_an_error_answer_is_an_api_error_with_the_status_message() -> None:
    status = orjson.dumps({"kind": "Status", "message": "too many requests", "reason":
                           "TooManyRequests", "details": {"retryAfterSeconds": 3}})
    with pytest.raises(ApiError) as caught:
        read_page("prod-eu", 429, status)
    error = caught.value
    assert (error.status, error.retry_after) == (429, 3.0)
    assert error.message == "HTTP 429: too many requests"


@pytest.mark.parametrize("answer", [b"", b"[]", b"<html>proxy error</html>", b'{"a": '])
def test_a_200_that_is_not_a_json_object_is_a_clear_error(answer: bytes) -> None:
    with pytest.raises(ApiError, match="not a JSON object"):
        read_page("prod-eu", 200, answer)


def test_each_thread_parses_with_its_own_parser() -> None:
    """A parser holds one document; pages parsed at once in two threads do not clash."""
    page = orjson.dumps(_table([_row(f"pod-{i}") for i in range(200)]))
    reader = TableReader(_SOURCES)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def load() -> None:
        barrier.wait()
        for _ in range(20):
            doc = read_page("c", 200, page)
            results.append(len(reader.rows("c", doc)))
            del doc

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 40


_SOURCES = (("meta", "namespace"), ("cell", "Name"), ("cell", "Status"),
            ("meta", "creationTimestamp"), ("cell", "Restarts"))
_COLUMNS = [{"name": "Name"}, {"name": "Status"}, {"name": "Restarts"}]


def _table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "Table", "columnDefinitions": _COLUMNS, "rows": rows,
            "metadata": {"resourceVersion": "7"}}


def _row(name: str) -> dict[str, Any]:
    return {"cells": [name, "Running", "0"], "object": {"metadata": {
        "name": name, "namespace": "ns", "creationTimestamp": "2026-11-25T00:00:00Z"}}}


cell_value = st.one_of(st.text(max_size=5), st.integers(0, 99), st.none())
meta_fields = st.dictionaries(st.sampled_from(["name", "namespace", "creationTimestamp"]),
                              st.one_of(st.text(max_size=5), st.none(), st.integers(0, 9),
                                        st.just({"nested": [1]})))
odd_row = st.fixed_dictionaries({}, optional={
    "cells": st.lists(cell_value, max_size=4),
    "object": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"metadata": meta_fields})),
})


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.one_of(odd_row, st.builds(_row, st.text(min_size=1, max_size=5))),
                     max_size=6))
def test_the_fast_path_reads_any_row_as_the_careful_path_does(rows: list[dict[str, Any]]) -> None:
    """Missing cells or fields, numbers, nulls: the same (key, row) as the careful reader,
    from parsed JSON and from a lazy page alike."""
    doc = _table(rows)
    plan = [(where == "cell", {"name": 0, "status": 1, "restarts": 2}.get(name.lower(), -1),
             name) for where, name in _SOURCES]
    careful = [TableReader._row("c", row, plan) for row in rows]
    assert TableReader(_SOURCES).rows("c", doc) == careful
    lazy = TableReader(_SOURCES).rows("c", read_page("c", 200, orjson.dumps(doc)))
    assert lazy == careful
    assert all(type(v) is str for key, row in lazy for v in (*key, *row))  # no proxies kept


def test_a_page_parses_even_while_a_value_of_the_last_one_is_referenced() -> None:
    """A loader never dies on the parser's one-document rule: it gets a fresh parser."""
    first = read_page("c", 200, orjson.dumps({"rows": [{"a": {"b": 1}}]}))
    kept = first["rows"][0]["a"]
    second = read_page("c", 200, orjson.dumps({"metadata": {"resourceVersion": "9"}}))
    assert position(second) == (None, "9")
    assert kept["b"] == 1
