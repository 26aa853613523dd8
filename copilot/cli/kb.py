"""`verity kb ...`: add, list, remove and search documents in the knowledge base."""

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


def _knowledge_base() -> Any:
    from copilot.knowledge import build_knowledge_base

    return build_knowledge_base(get_settings())


def _count_files(paths: list[Path]) -> int:
    return sum(sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 1 for path in paths)


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
) -> None:
    """Ingest documents; adding the same file again changes nothing."""
    with cli_errors():
        published = parse_date(date, "date")
        kb = _knowledge_base()
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("ingesting", total=_count_files(paths))
            seen: set[str] = set()

            def advance(source_key: str) -> None:
                file_part = source_key.split("#", 1)[0]
                if file_part not in seen:
                    seen.add(file_part)
                    progress.update(task, advance=1, description=Path(file_part).name[:40])

            report = kb.add(paths, publisher=publisher, url=url, published=published, progress=advance)
        console.print(report.summary(), highlight=False)
        for failure in report.failed:
            err_console.print(f"[yellow]skipped[/] {failure.source}: {failure.reason}", highlight=False)
        if report.failed:
            raise typer.Exit(code=1)


@app.command("list")
def list_documents(as_json: Json = False) -> None:
    """List stored documents."""
    with cli_errors():
        documents = _knowledge_base().list_documents()
        if as_json:
            print_json([d.__dict__ for d in documents])
            return
        table = Table("id", "title", "publisher", "published", "tickers", "chunks")
        for d in documents:
            table.add_row(
                d.doc_id,
                d.title,
                d.publisher or "",
                str(d.published or ""),
                ",".join(d.tickers),
                str(d.chunk_count),
            )
        console.print(table)
        console.print(f"{len(documents)} documents")


@app.command("remove")
def remove(doc_id: Annotated[str, typer.Argument(help="a document id from `verity kb list`")]) -> None:
    """Delete a document and its chunks."""
    with cli_errors():
        removed = _knowledge_base().remove(doc_id)
        console.print(f"removed {doc_id} ({removed} chunks)")


def _passage_json(passage: Any) -> dict[str, Any]:
    return {
        "content": passage.content,
        "score": passage.score,
        "source": passage.source.model_dump(mode="json"),
    }


def _run_queries(kb: Any, path: Path) -> list[dict[str, Any]]:
    """Each JSON line: {"query": ...} with optional id, k, ticker, since, until, publisher, as_of."""
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
        passages = kb.search(
            query,
            k=int(spec.get("k", 5)),
            ticker=spec.get("ticker"),
            since=parse_date(spec.get("since"), "since"),
            until=parse_date(spec.get("until"), "until"),
            publisher=spec.get("publisher"),
            as_of=parse_date(spec.get("as_of"), "as_of"),
        )
        results.append(
            {"id": spec.get("id", number), "query": query, "passages": [_passage_json(p) for p in passages]}
        )
    return results


@app.command("search")
def search(
    query: Annotated[str | None, typer.Argument(help="what to look for")] = None,
    ticker: Annotated[str | None, typer.Option(help="only documents about or mentioning this ticker")] = None,
    since: Annotated[str | None, typer.Option(help="published on or after YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="published on or before YYYY-MM-DD")] = None,
    publisher: Annotated[str | None, typer.Option(help="only this publisher (substring)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="exclude documents published after it")] = None,
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
        passages = kb.search(
            query,
            k=k,
            ticker=ticker,
            since=parse_date(since, "since"),
            until=parse_date(until, "until"),
            publisher=publisher,
            as_of=parse_date(as_of, "as-of"),
        )
        if as_json:
            print_json([_passage_json(p) for p in passages])
            return
        if not passages:
            console.print("no matching passages")
        for n, p in enumerate(passages, 1):
            where = f"p. {p.source.page}" if p.source.page is not None else (p.source.section or "")
            console.print(
                f"[bold][{n}] {p.source.title}[/] — {p.source.provider}, {p.source.published or 'undated'} "
                f"{where} (score {p.score:.3f})",
                highlight=False,
            )
            console.print(" ".join(p.content.split())[:400], highlight=False, markup=False)
            console.print()
