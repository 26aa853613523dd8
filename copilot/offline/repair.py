"""The repair round: when the verifier flags figures, drop the sentences that hold them.

``copilot.verify.repair_prompt`` lists each unverified figure with its sentence. The offline
analyst never invents a replacement value: it removes those sentences from its previous answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage

REPAIR_MARKER = "could not be verified against the sources they cite"
_FLAGGED = re.compile(r'^- "(?P<figure>.*?)" in: "(?P<sentence>.*)" \((?P<reason>[^()]*)\)\s*$', re.MULTILINE)


def is_repair_request(text: str) -> bool:
    """Whether a human-role message is the verifier's repair request rather than a question."""
    return REPAIR_MARKER in text


def repaired_answer(messages: Sequence[BaseMessage], request: str) -> str:
    """The last answer without the sentences the repair request flags."""
    previous = next(
        (m.text for m in reversed(messages) if isinstance(m, AIMessage) and not m.tool_calls and m.text),
        "",
    )
    answer = previous
    for match in _FLAGGED.finditer(request):
        sentence = match.group("sentence").strip()
        if sentence and sentence in answer:
            answer = answer.replace(sentence, "")
    answer = re.sub(r"[ \t]{2,}", " ", answer)
    answer = re.sub(r"\n{3,}", "\n\n", answer).strip()
    return answer or "I could not verify the figures I found, so I won't state them."
