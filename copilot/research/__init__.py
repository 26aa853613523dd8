"""Deep research: a topic becomes a cited, verified, multi-section research note.

``run_research(request, deps)`` streams typed events (``copilot.research.events``) and ends with
the ``ResearchReport`` (``copilot.research.report``); ``copilot.research.export`` writes it as
Markdown, HTML, PDF or JSON. See docs/research.md.
"""

from copilot.research.deps import (
    MODEL_LLM,
    MODEL_OFFLINE,
    ResearchDeps,
    ResearchRequest,
    build_research_deps,
    default_models,
)
from copilot.research.events import (
    ResearchDoneEvent,
    ResearchEvent,
    ResearchFailedEvent,
    ResearchSectionEvent,
    ResearchStartedEvent,
    ResearchStepEvent,
    parse_research_event,
)
from copilot.research.pipeline import check_request, run_research
from copilot.research.report import ReportSection, ResearchReport

__all__ = [
    "MODEL_LLM",
    "MODEL_OFFLINE",
    "ReportSection",
    "ResearchDeps",
    "ResearchDoneEvent",
    "ResearchEvent",
    "ResearchFailedEvent",
    "ResearchReport",
    "ResearchRequest",
    "ResearchSectionEvent",
    "ResearchStartedEvent",
    "ResearchStepEvent",
    "build_research_deps",
    "check_request",
    "default_models",
    "parse_research_event",
    "run_research",
]
