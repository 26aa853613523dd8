"""The repair round: when the verifier flags figures or the coverage check finds a part uncovered.

The offline analyst never invents a replacement value: it removes the sentences that hold flagged
figures from its previous answer, and says plainly which parts of the question it could not cover.
The request arrives as a field of the message (``copilot.turn_fields.RepairRequest``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage

from copilot.turn_fields import RepairRequest


def repaired_answer(messages: Sequence[BaseMessage], request: RepairRequest) -> str:
    """The last answer without the flagged sentences, and a plain word on what it does not cover."""
    previous = next(
        (m.text for m in reversed(messages) if isinstance(m, AIMessage) and not m.tool_calls and m.text),
        "",
    )
    answer = previous
    for flagged in request.figures:
        sentence = flagged.sentence.strip()
        if sentence and sentence in answer:
            answer = answer.replace(sentence, "")
    answer = re.sub(r"[ \t]{2,}", " ", answer)
    answer = re.sub(r"\n{3,}", "\n\n", answer).strip()
    if request.uncovered:
        gaps = "; ".join(request.uncovered)
        answer = f"{answer}\n\nI could not give figures for: {gaps}.".strip()
    return answer or "I could not verify the figures I found, so I won't state them."
