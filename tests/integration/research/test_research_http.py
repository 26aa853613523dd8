"""The seed report ordered over HTTP from the web app (in-process runner, SQLite) on the real data, and
its exports downloaded over HTTP: the PDF opens and its text holds the figures — checked against plain
pandas and TA-Lib on the CSVs and the FOMC statement's text — and every cited source with its link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pypdf
import pytest

from copilot.config import Settings
from copilot.research import ResearchReport
from copilot.services import Services
from copilot.storage.db import Database
from tests.eval.reference import Reference
from tests.integration.research.test_research_seed import AS_OF, SEED_TOPIC, statement_range
from tests.web.conftest import FAST_HASHER, register, web_settings
from tests.web.sse import parse_frames
from web.app import create_app


@pytest.fixture()
async def client(real: Any, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings: Settings = web_settings(real.settings.model_copy(update={"data_dir": tmp_path}))
    services = Services.assemble(
        settings,
        real.market,
        knowledge=cast(Any, lambda: real.knowledge),
        database=Database(settings),
        resolver=real.market.resolver,
        password_hasher=FAST_HASHER,
    )
    await services.start()
    transport = httpx.ASGITransport(app=create_app(settings, services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as http:
            yield http
    finally:
        await services.aclose()


async def test_the_seed_report_over_http_and_its_pdf(
    client: httpx.AsyncClient, shared_data: Path, tmp_path: Path
) -> None:
    csrf = await register(client, "ann@example.com")
    order = {"topic": SEED_TOPIC, "as_of": AS_OF.isoformat(), "model": "verity-offline"}
    job = (await client.post("/api/research", json=order, headers={"X-CSRF-Token": csrf})).json()
    frames = parse_frames((await client.get(f"/api/research/{job['id']}/events")).text)
    assert frames[-1].event == "done", frames[-1]
    report = ResearchReport.from_json((await client.get(f"/api/research/{job['id']}/report.json")).content)
    assert report.verification.verified == report.verification.total >= 50

    pdf = await client.get(f"/api/research/{job['id']}/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "note.pdf"
    path.write_bytes(pdf.content)
    reader = pypdf.PdfReader(path)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) >= 3

    ref = Reference(shared_data)
    expected = [f"{ref.period_return(s, 'ytd', AS_OF)[1]:+.2f}%" for s in ("^RUT", "^GSPC", "^IXIC")]
    expected.append(f"{ref.rsi_14('^RUT', AS_OF):.2f}")
    expected.append(f"{ref.sma('^RUT', 200, AS_OF):,.2f}")
    expected.append(f"${ref.last_close('IWM', AS_OF):.2f}")
    low, high = statement_range(shared_data, "2025-12-10")
    expected.append(f"{low:.2f}–{high:.2f}%")
    for figure in expected:
        assert figure in text, figure
    for cited in report.sources:
        assert f"[{cited.n}] {cited.source.title}"[:40] in text
    assert "monetary20251210a.htm" in text and report.verification.summary in text

    html = await client.get(f"/api/research/{job['id']}/report.html")
    assert "<script" not in html.text and all(f'href="#source-{c.n}"' in html.text for c in report.sources)
    markdown = (await client.get(f"/api/research/{job['id']}/report.md")).text
    assert all(figure in markdown for figure in expected)
