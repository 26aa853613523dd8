"""Reading server-sent events in tests: frames of ``id``, ``event`` and ``data``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Frame:
    id: int
    event: str
    data: dict[str, Any]


def parse_frames(text: str) -> list[Frame]:
    frames = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            fields[name] = value
        if fields:
            frames.append(Frame(int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return frames


async def read_frames(lines: AsyncIterator[str], limit: int | None = None) -> list[Frame]:
    """Frames from a streaming response's lines, stopping after ``limit`` frames."""
    frames: list[Frame] = []
    block: list[str] = []
    async for line in lines:
        if line:
            block.append(line)
            continue
        if block:
            frames.extend(parse_frames("\n".join(block)))
            block = []
            if limit is not None and len(frames) >= limit:
                break
    return frames
