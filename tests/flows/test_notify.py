"""A scheduled reprocessing run with a verdict change posts one summary through a Prefect notification block
to a local HTTP receiver; every run keeps its own history folder."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.changes import needs_notice, render_notice
from tests.pdfs import text_pdf


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture()
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Handler", (_Receiver,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()


def test_a_verdict_change_posts_one_notification(
    prefect_harness: None, receiver: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    from flows.notify import save_webhook
    from flows.scheduled import reprocess

    url, received = receiver
    slug = save_webhook("hr-desk-test", url)
    batch, out = tmp_path / "batch", tmp_path / "reports"
    (batch / "001-a").mkdir(parents=True)
    (batch / "001-a" / "contrat.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL", "Employeur: ACME NV"]))
    (batch / "002-b").mkdir()
    (batch / "002-b" / "bail.pdf").write_bytes(text_pdf(["CONTRAT DE BAIL", "Bailleur: X"]))
    common: dict[str, Any] = {"cache": "off", "workers": 1, "as_of": dt.date(2026, 11, 25), "notify": slug}

    first = reprocess(str(batch), str(out), **common)
    assert first["changes"]["first_run"] and not first["notified"] and received == []

    (batch / "cases.csv").write_text("dossier,category,nationality\n001-a,single_permit,IND\n")  # category known
    second = reprocess(str(batch), str(out), **common)
    assert second["notified"] and len(received) == 1
    (changed,) = second["changes"]["verdict_changes"]
    assert (changed["id"], changed["from"], changed["to"]) == ("001-a", "needs_review", "not_ready")
    posted = received[0]["json"]
    assert posted["subject"].startswith("Dossiers on 2026-11-25: 1 verdict change(s)")
    assert "- 001-a: needs_review -> not_ready" in posted["text"] and str(out / "report.html") in posted["text"]
    assert received[0]["path"] == "/hook" and posted["source"] == "hr-desk-test"

    third = reprocess(str(batch), str(out), **common)  # nothing new: no second message
    assert not third["notified"] and len(received) == 1
    history = sorted(p.name for p in (out / "history").iterdir())
    assert len(history) == 3 and all((out / "history" / h / "report.json").exists() for h in history)


def test_notice_only_for_changes_and_new_expiries() -> None:
    expiring = {"id": "001-a", "document": "p.jpg#1", "type": "passport", "reason": "expiry_date",
                "date": "2026-12-10", "days_left": 15}
    changes = {"as_of": "2026-11-25", "horizon_days": 30, "verdict_changes": [], "expiring_new": [expiring]}
    assert needs_notice(changes)
    subject, body = render_notice(changes)
    assert "1 document(s) expiring within 30 days" in subject
    assert "- 001-a: passport p.jpg#1 on 2026-12-10 (15 days left; expiry_date)" in body
    assert not needs_notice(changes | {"expiring_new": []})
