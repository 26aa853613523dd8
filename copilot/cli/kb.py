"""`verity kb ...`: add, list, remove, search and rebuild the knowledge base (the administrator's view)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from copilot.cli.common import cli_errors, console, err_console, parse_date, print_json
from copilot.config import get_settings
from copilot.errors import BadInputError

app = typer.Typer(no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]
Viewer = Annotated[
    str | None, typer.Option("--viewer", help="see as this owner id: the shared documents plus theirs")
]


def _knowledge_base() -> Any:
    from copilot.knowledge import build_knowledge_base

    return build_knowledge_base(get_settings())


def _count_files(paths: list[Path]) -> int:
    return sum(sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 1 for path in paths)


def _progress_bar(paths: list[Path]) -> tuple[Progress, Any]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    progress = Progress(*columns, console=err_console, transient=True)
    task = progress.add_task("ingesting", total=_count_files(paths))
    seen: set[str] = set()

    def advance(source_key: str) -> None:
        file_part = source_key.split("#", 1)[0]
        if file_part not in seen:
            seen.add(file_part)
            progress.update(task, advance=1, description=Path(file_part).name[:40])

    return progress, advance


@app.command("add")
def add(
    paths: Annotated[
        list[Path], typer.Argument(help="files or directories (md, txt, html, pdf, jsonl, .gz)")
    ],
    publisher: Annotated[
        str | None, typer.Option(help="publisher to record (overrides what the documents say)")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="source URL to record (overrides what the documents say)")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="publication date YYYY-MM-DD (overrides what the documents say)"),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="add as this owner's own documents (default: shared)")
    ] = None,
) -> None:
    """Ingest documents; adding the same file again changes nothing."""
    with cli_errors():
        published = parse_date(date, "date")
        kb = _knowledge_base()
        progress, advance = _progress_bar(paths)
        with progress:
            report = kb.add(
                paths, publisher=publisher, url=url, published=published, progress=advance, owner=owner
            )
        console.print(report.summary(), highlight=False)
        for failure in report.failed:
            err_console.print(f"[yellow]skipped[/] {failure.source}: {failure.reason}", highlight=False)
        if report.failed:
            raise typer.Exit(code=1)


def _when(d: Any) -> str:
    if d.available is None:
        return "undated"
    released = f" (meeting {d.meeting})" if d.kind == "minutes" and d.meeting else ""
    return f"{d.available}{released}"


@app.command("list")
def list_documents(
    viewer: Viewer = None,
    shared: Annotated[bool, typer.Option("--shared", help="only the shared corpus")] = False,
    as_json: Json = False,
) -> None:
    """List stored documents: every owner's (default), the shared ones, or what one viewer sees."""
    with cli_errors():
        kb = _knowledge_base()
        everyone = viewer is None and not shared
        documents = kb.list_documents(viewer=viewer, everyone=everyone)
        if as_json:
            print_json([d.as_dict() for d in documents])
            return
        table = Table("id", "title", "kind", "available", "about", "owner", "chunks")
        for d in documents:
            about = ", ".join(x for x in (d.speaker, d.fiscal_period, ",".join(d.tickers[:3])) if x)
            table.add_row(
                d.doc_id, d.title[:60], d.kind, _when(d), about, d.owner or "shared", str(d.chunk_count)
            )
        console.print(table)
        console.print(f"{len(documents)} documents")


@app.command("remove")
def remove(
    doc_id: Annotated[str, typer.Argument(help="a document id from `verity kb list`")],
    viewer: Annotated[
        str | None, typer.Option("--as", help="remove as this owner (refused for others' documents)")
    ] = None,
) -> None:
    """Delete a document and its chunks."""
    with cli_errors():
        removed = _knowledge_base().remove(doc_id, viewer=viewer)
        console.print(f"removed {doc_id} ({removed} chunks)")


@app.command("rebuild")
def rebuild(
    drop_missing: Annotated[
        bool, typer.Option("--drop-missing", help="rebuild without the documents whose files are gone")
    ] = False,
) -> None:
    """Re-read every recorded source file into a fresh knowledge base (after an upgrade changed its
    format); the old one is kept beside it as knowledge.backup-<time>."""
    from copilot.knowledge.rebuild import rebuild as rebuild_knowledge_base

    with cli_errors():
        result = rebuild_knowledge_base(get_settings(), drop_missing=drop_missing)
        summary = f"re-read {result.files} source(s): {result.ingest.summary()}"
        console.print(summary, highlight=False, soft_wrap=True)
        console.print(
            f"the previous knowledge base is kept in {result.backup}", highlight=False, soft_wrap=True
        )
        for failure in result.ingest.failed:
            err_console.print(f"[yellow]skipped[/] {failure.source}: {failure.reason}", highlight=False)
        if result.ingest.failed:
            raise typer.Exit(code=1)


def _passage_json(passage: Any) -> dict[str, Any]:
    return {
        "content": passage.content,
        "score": passage.score,
        "source": passage.source.model_dump(mode="json"),
    }


_FILTER_KEYS = ("ticker", "publisher", "kind", "speaker", "meeting", "viewer")


def _search_args(spec: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of KnowledgeBase.search from CLI options or a --queries line."""
    from copilot.knowledge.fiscal import parse_fiscal_period

    year, quarter = parse_fiscal_period(spec["fiscal_period"]) if spec.get("fiscal_period") else (None, None)
    return {
        "k": int(spec.get("k") or 5),
        **{key: spec.get(key) or None for key in _FILTER_KEYS},
        "since": parse_date(spec.get("since"), "since"),
        "until": parse_date(spec.get("until"), "until"),
        "as_of": parse_date(spec.get("as_of"), "as-of"),
        "latest": bool(spec.get("latest")),
        "fiscal_year": year,
        "fiscal_quarter": quarter,
    }


def _run_queries(kb: Any, path: Path) -> list[dict[str, Any]]:
    """Each JSON line: {"query": ...} with optional id, k and any search option (as_of, kind, ...)."""
    results = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadInputError(f"--queries {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            spec = json.loads(line)
            query = spec["query"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise BadInputError(
                f"--queries {path} line {number}: expected a JSON object with 'query'"
            ) from None
        passages = kb.search(query, **_search_args(spec))
        results.append(
            {"id": spec.get("id", number), "query": query, "passages": [_passage_json(p) for p in passages]}
        )
    return results


@app.command("search")
def search(
    query: Annotated[str | None, typer.Argument(help="what to look for")] = None,
    kind: Annotated[
        str | None, typer.Option(help="statement, minutes, projections, speech, 10-K, 10-Q, 20-F, note")
    ] = None,
    speaker: Annotated[str | None, typer.Option(help="a speaker's surname, e.g. Waller")] = None,
    meeting: Annotated[
        str | None, typer.Option(help="an FOMC meeting: YYYY-MM-DD, YYYY-MM, 'January 2026' or 'January'")
    ] = None,
    latest: Annotated[bool, typer.Option("--latest", help="the newest available documents first")] = False,
    fiscal_period: Annotated[
        str | None, typer.Option(help="a filing's period: 'Q3 FY2026', 'FY2025'")
    ] = None,
    ticker: Annotated[str | None, typer.Option(help="only documents about or mentioning this ticker")] = None,
    since: Annotated[str | None, typer.Option(help="available on or after YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="available on or before YYYY-MM-DD")] = None,
    publisher: Annotated[str | None, typer.Option(help="only this publisher (substring)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="exclude documents available after it")] = None,
    viewer: Viewer = None,
    k: Annotated[int, typer.Option("-k", help="number of passages")] = 5,
    queries: Annotated[
        Path | None, typer.Option("--queries", help="JSONL file of queries, one process")
    ] = None,
    as_json: Json = False,
) -> None:
    """Hybrid (vector + BM25) search with filters; passages with their sources."""
    with cli_errors():
        if (query is None) == (queries is None):
            raise BadInputError("give either a QUERY or --queries FILE.jsonl")
        kb = _knowledge_base()
        if queries is not None:
            print_json(_run_queries(kb, queries))
            return
        assert query is not None
        options = {"kind": kind, "speaker": speaker, "meeting": meeting, "latest": latest, "k": k}
        options.update(ticker=ticker, since=since, until=until, publisher=publisher, as_of=as_of)
        passages = kb.search(
            query, **_search_args({**options, "viewer": viewer, "fiscal_period": fiscal_period})
        )
        if as_json:
            print_json([_passage_json(p) for p in passages])
            return
        if not passages:
            console.print("no matching passages")
        for n, p in enumerate(passages, 1):
            where = f"p. {p.source.page}" if p.source.page is not None else (p.source.section or "")
            about = [str(p.source.published or "undated"), p.source.details.get("kind", ""), where]
            console.print(
                f"[bold][{n}] {p.source.title}[/] — {p.source.provider}, {', '.join(a for a in about if a)} "
                f"(score {p.score:.3f})",
                highlight=False,
            )
            console.print(" ".join(p.content.split())[:400], highlight=False, markup=False)
            console.print()
