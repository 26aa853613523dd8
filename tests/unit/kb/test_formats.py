"""Each supported format is ingested with its structure; each kind of bad file is reported, not stored."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

from copilot.config import Settings
from copilot.knowledge import KnowledgeBase, build_knowledge_base
from tests.unit.kb.conftest import make_pdf

FED = (
    "The Committee decided to maintain the target range for the federal funds rate at 3-1/2 to 3-3/4 percent."
)


def test_markdown_keeps_title_and_sections(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Chip outlook\n\nIntro paragraph.\n\n## Nvidia\n\nNvidia data center revenue grew 73%.\n"
    )
    report = kb.add([path], publisher="Desk notes")
    assert len(report.added) == 1 and not report.failed
    [passage] = kb.search("Nvidia data center revenue", k=1)
    assert passage.source.title == "Chip outlook"
    assert passage.source.section == "Nvidia"
    assert passage.source.provider == "Desk notes"
    assert passage.source.kind == "document"
    assert "NVDA" in passage.source.details["tickers"]


def test_text_and_gzip_text(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("Costco membership fee income rose to $1.3 billion.")
    with gzip.open(tmp_path / "packed.txt.gz", "wt") as handle:
        handle.write("Walmart grocery sales drove comparable sales growth of 4.5%.")
    report = kb.add([tmp_path / "plain.txt", tmp_path / "packed.txt.gz"])
    assert len(report.added) == 2
    [passage] = kb.search("Walmart grocery comparable sales", k=1)
    assert passage.source.title == "packed"
    assert passage.content.startswith("Walmart grocery")


def test_html_main_text_is_extracted(kb: KnowledgeBase, tmp_path: Path) -> None:
    body = " ".join(["Intel announced a foundry partnership to manufacture chips in Ohio."] * 5)
    html = (
        "<html><head><title>Intel foundry news</title></head><body><nav>Home | About | Login</nav>"
        f"<article><h1>Intel foundry news</h1><p>{body}</p></article>"
        "<footer>Cookie policy</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(html)
    report = kb.add([tmp_path / "page.html"])
    assert len(report.added) == 1, report.failed
    [passage] = kb.search("Intel foundry partnership Ohio", k=1)
    assert passage.source.title == "Intel foundry news"
    assert "foundry partnership" in passage.content
    assert "Cookie policy" not in passage.content


def test_pdf_pages_are_kept(kb: KnowledgeBase, tmp_path: Path) -> None:
    make_pdf(tmp_path / "report.pdf", ["Overview of the year.", "Capital expenditures were $1,577 million."])
    report = kb.add([tmp_path / "report.pdf"])
    assert len(report.added) == 1 and report.chunks_added == 2
    [passage] = kb.search("capital expenditures", k=1)
    assert passage.source.page == 2
    assert [(f.value, f.unit) for f in passage.source.facts] == [(1_577_000_000.0, "USD")]


def test_jsonl_records_carry_metadata(kb: KnowledgeBase, tmp_path: Path) -> None:
    records = [
        {
            "id": "m1",
            "date": "2023-02-01",
            "title": "FOMC statement",
            "source": "Federal Reserve",
            "url": "https://example.org/m1",
            "text": FED,
        },
        {
            "id": "m2",
            "date": "2024-05-01",
            "title": "Speech on banks",
            "source": "Federal Reserve",
            "text": "Bank capital requirements and supervision were discussed.",
        },
    ]
    with gzip.open(tmp_path / "fed.jsonl.gz", "wt") as handle:
        handle.write("\n".join(json.dumps(r) for r in records))
    report = kb.add([tmp_path / "fed.jsonl.gz"])
    assert len(report.added) == 2
    [passage] = kb.search("federal funds rate target range", k=1)
    assert passage.source.title == "FOMC statement"
    assert passage.source.url == "https://example.org/m1"
    assert str(passage.source.published) == "2023-02-01"
    assert passage.source.as_of == passage.source.published


def test_directory_is_read_recursively(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.md").write_text("# One\n\nFirst note about Tesla deliveries.")
    (tmp_path / "a" / "b" / "two.txt").write_text("Second note about Boeing production rates.")
    report = kb.add([tmp_path / "a"])
    assert sorted(d.title for d in kb.list_documents()) == ["One", "two"]
    assert len(report.added) == 2


def test_bad_files_are_reported_and_leave_no_chunks(settings: Settings, tmp_path: Path) -> None:
    small = Settings(**{**settings.model_dump(), "max_document_bytes": 2000})
    kb = build_knowledge_base(small)
    make_pdf(tmp_path / "locked.pdf", ["Confidential merger terms."], password="s3cret")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04 not supported")
    (tmp_path / "huge.txt").write_text("word " * 1000)
    (tmp_path / "good.txt").write_text("Microsoft Azure revenue grew 29% in the quarter.")
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(b"Apple sold more phones. " * 20)[:40])
    make_pdf(tmp_path / "scanned.pdf", [""])
    paths = [
        tmp_path / n
        for n in (
            "locked.pdf",
            "broken.pdf",
            "empty.txt",
            "junk.txt",
            "sheet.xlsx",
            "huge.txt",
            "good.txt",
            "cut.txt.gz",
            "scanned.pdf",
        )
    ]
    report = kb.add(paths)
    reasons = {Path(f.source).name: f.reason for f in report.failed}
    assert set(reasons) == {
        "locked.pdf",
        "broken.pdf",
        "empty.txt",
        "junk.txt",
        "sheet.xlsx",
        "huge.txt",
        "cut.txt.gz",
        "scanned.pdf",
    }
    assert "cannot be read" in reasons["cut.txt.gz"]
    assert "no extractable text" in reasons["scanned.pdf"]
    assert "encrypted" in reasons["locked.pdf"]
    assert "corrupt" in reasons["broken.pdf"].lower()
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["junk.txt"]
    assert "unsupported" in reasons["sheet.xlsx"]
    assert "size limit" in reasons["huge.txt"]
    assert {f.code for f in report.failed} <= {"bad_input", "corrupt_data"}
    assert [d.title for d in kb.list_documents()] == ["good"]
    assert kb.store.count() == 1  # only the good file's single chunk reached the vector store


def test_bad_jsonl_line_does_not_stop_the_others(kb: KnowledgeBase, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "ok", "title": "Fine", "text": "Pfizer vaccine sales fell."}),
        "{not json",
        json.dumps({"id": "blank", "title": "No text", "text": ""}),
    ]
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines))
    report = kb.add([tmp_path / "mixed.jsonl"])
    assert len(report.added) == 1
    assert len(report.failed) == 2
    assert [d.title for d in kb.list_documents()] == ["Fine"]


def test_chunk_metadata_in_the_vector_store(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "memo.md"
    path.write_text("# Memo\n\n## Chips\n\nNvidia and Advanced Micro Devices both gained share.")
    kb.add([path], publisher="Desk", url="https://example.org/memo", published=date(2025, 3, 4))
    stored = kb.store.collection.get(include=["metadatas"])
    [meta] = stored["metadatas"]
    assert meta["title"] == "Memo" and meta["publisher"] == "Desk" and meta["section"] == "Chips"
    assert meta["url"] == "https://example.org/memo" and meta["published"] == "2025-03-04"
    assert meta["tickers"] == "AMD,NVDA"
    assert meta["companies"] == "Advanced Micro Devices; NVIDIA"
    assert len(str(meta["content_hash"])) == 16 and str(meta["doc_id"]).startswith("doc_")


def test_sidecar_index_titles_and_dates_filings(kb: KnowledgeBase, tmp_path: Path) -> None:
    filings = tmp_path / "sec_filings"
    filings.mkdir()
    (filings / "index.csv").write_text(
        "file,symbol,form,filed_date,chars,first_200_chars\n"
        "sec_filings/AAPL_10-K_2025-10-31.txt.gz,AAPL,10-K,2025-10-31,120,aapl\n"
    )
    text = (
        "aapl-20250927 FORM 10-K For the fiscal year ended September 27, 2025. "
        "iPhone net sales were $209,586 million."
    )
    with gzip.open(filings / "AAPL_10-K_2025-10-31.txt.gz", "wt") as handle:
        handle.write(text)
    report = kb.add([filings])
    assert len(report.added) == 1 and not report.failed  # index.csv is metadata, not a document
    [doc] = kb.list_documents()
    assert doc.title == "Apple (AAPL) Form 10-K filed 2025-10-31"
    assert (str(doc.published), doc.publisher, doc.tickers) == ("2025-10-31", "SEC EDGAR", ["AAPL"])
    assert (doc.fiscal_year, doc.fiscal_quarter, doc.doc_type, doc.kind) == (2025, None, "10k", "10-K")
    [passage] = kb.search("iPhone net sales", ticker="AAPL", k=1)
    assert passage.source.facts[0].value == 209_586_000_000.0
