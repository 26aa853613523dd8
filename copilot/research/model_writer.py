"""Writing sections with a model: numbered sources in, cited prose out, one repair round.

The model sees the section's sources under the report ledger's numbers (market data with each
fact's displayed value, passages as delimited quoted material). Its text is cleaned of unknown
citations and verified against the whole ledger; when a figure fails, the model gets one repair
round (``copilot.verify.repair_prompt``) and the better of the two texts is kept. Summary and
conclusion are written from the finished, verified sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from string import Template

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from copilot.citations import SourceLedger
from copilot.errors import LLMUnavailableError
from copilot.knowledge.passages import Passage, render_passage
from copilot.research.evidence import Evidence
from copilot.research.plan import PlannedSection
from copilot.research.usage import Meter
from copilot.verify import VerificationReport, repair_prompt, verify_figures
from prompts import load_prompt
from tools.agent_tools import render_source


@dataclass
class ModelText:
    """A model's section text after verification (and the repair round, if one ran)."""

    body: str
    report: VerificationReport
    repaired: bool


def sources_block(section: PlannedSection, evidence: Evidence) -> tuple[str, SourceLedger]:
    """The section's sources as the model reads them, and a ledger of just those."""
    blocks: list[str] = []
    items: dict[int, object] = {}
    for step_id in section.steps:
        passages = {source.id: text for _, source, text in evidence.passages(step_id)}
        for n, source in evidence.sources(step_id):
            if n in items:
                continue
            items[n] = source
            if source.id in passages:
                blocks.append(render_passage(Passage(passages[source.id], source, 0.0), n))
            else:
                blocks.append(render_source(source, n))
    ledger = SourceLedger.from_items([(n, evidence.ledger.get(n)) for n in sorted(items)])  # type: ignore[misc]
    return "\n\n".join(blocks) or "(no sources: every step of this section failed)", ledger


async def ask(model: BaseChatModel, messages: list[BaseMessage], meter: Meter) -> AIMessage:
    """One model call; an empty reply is an error (the pipeline retries the step once)."""
    reply = await model.ainvoke(messages)
    meter.record(reply)
    if not isinstance(reply, AIMessage) or not reply.text.strip():
        raise LLMUnavailableError("the model returned an empty section")
    return reply


async def write_section(
    model: BaseChatModel,
    topic: str,
    as_of: date,
    section: PlannedSection,
    evidence: Evidence,
    missing: list[str],
    meter: Meter,
) -> ModelText:
    block, own = sources_block(section, evidence)
    gaps = "".join(f"\nSay that this data is missing: {note}" for note in missing)
    prompt = Template(load_prompt("research_section")).substitute(
        as_of=as_of.isoformat(),
        title=section.title,
        topic=topic,
        questions="; ".join(section.questions) or section.title,
        missing=gaps + ("\n" if gaps else ""),
        sources=block,
    )
    return await _checked(model, [HumanMessage(content=prompt)], evidence.ledger, own, meter)


async def write_synthesis(
    model: BaseChatModel,
    topic: str,
    as_of: date,
    title: str,
    sections: list[tuple[str, str]],
    ledger: SourceLedger,
    meter: Meter,
) -> ModelText:
    """Summary or conclusion from the finished sections (title, body)."""
    instruction = (
        "Weigh what supports the topic's thesis against what argues for caution, and end by saying what "
        "the data cannot tell."
        if title.lower() == "conclusion"
        else "Lead with the answer to the topic in a sentence, then the three or four key facts."
    )
    prompt = Template(load_prompt("research_summary")).substitute(
        title=title.lower(),
        as_of=as_of.isoformat(),
        topic=topic,
        instruction=instruction,
        sections="\n\n".join(f"## {t}\n{body}" for t, body in sections),
    )
    return await _checked(model, [HumanMessage(content=prompt)], ledger, ledger, meter)


async def _checked(
    model: BaseChatModel, messages: list[BaseMessage], ledger: SourceLedger, own: SourceLedger, meter: Meter
) -> ModelText:
    reply = await ask(model, messages, meter)
    body, _ = ledger.clean_citations(reply.text.strip())
    report = verify_figures(body, ledger)
    if not report.unverified:
        return ModelText(body, report, repaired=False)
    retry = [*messages, AIMessage(content=reply.text), HumanMessage(content=repair_prompt(report, own))]
    second = await ask(model, retry, meter)
    fixed, _ = ledger.clean_citations(second.text.strip())
    second_report = verify_figures(fixed, ledger)
    if len(second_report.unverified) <= len(report.unverified):  # keep the repair unless it is worse
        return ModelText(fixed, second_report, repaired=True)
    return ModelText(body, report, repaired=True)
