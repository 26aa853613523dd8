"""The verification event lists every checked figure (what the page's badge opens): each verified one
with the cited fact it matched, each unverified one with its reason; the stored turn keeps them."""

from __future__ import annotations

from copilot.config import Settings
from copilot.conversations import LOCAL_OWNER
from copilot.events import DoneEvent, VerificationEvent
from tests.fakes import ScriptedChatModel, tool_calls
from tests.unit.agent.test_chat_service import ANSWER, QUOTE_AND_RETURNS, _one, _run, _service


async def test_verified_figures_name_the_fact_they_matched_and_are_stored(settings: Settings) -> None:
    wrong = ANSWER.replace("1.77%", "1.99%")
    model = ScriptedChatModel().enqueue(tool_calls(*QUOTE_AND_RETURNS), wrong)
    service = _service(settings, model, verify_policy="annotate")
    events = await _run(service, "How is Apple doing, and small caps vs large caps?")
    verification = _one(events, VerificationEvent)
    assert verification.summary == "2/3 verified"
    checked = {f.text: f for f in verification.verified_figures}
    assert set(checked) == {"$259.37", "5.73%"}
    assert checked["$259.37"].matched_fact == "[1] AAPL:last_price"
    assert checked["$259.37"].citations == [1]
    assert checked["5.73%"].matched_fact and checked["5.73%"].matched_fact.startswith("[2] ^RUT:")
    assert [f.text for f in verification.unverified] == ["1.99%"]
    assert verification.unverified[0].reason and verification.unverified[0].matched_fact is None

    done = _one(events, DoneEvent)
    stored = (await service.conversations.get(done.conversation_id, LOCAL_OWNER)).turns[-1]
    assert stored.verification.verified_figures == verification.verified_figures
    assert stored.verification.unverified == verification.unverified
