"""Load test: N concurrent conversations of M messages each against POST /webhooks/rest/webhook.

Every conversation follows the same script (an interview, a summary, a restart, again), so every
conversation must get exactly the replies of a reference conversation run alone first. A lost, repeated or
reordered turn, or a reply that belongs to another conversation, shows up as a difference. Each conversation's
first message carries its own marker, which the summary repeats: a summary with a foreign marker is crossed.

    python bench/load.py --url http://127.0.0.1:5005 --conversations 50 --messages 20
"""
import argparse
import asyncio
import json
import re
import statistics
import sys
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

import aiohttp

SCRIPT = [
    "我最近两条腿没劲上楼费劲,编号{marker}", "成年后", "几个月到几年慢慢加重", "都没有", "都没有", "都没有", "没有",
    "生成摘要", "重新开始", "不知道", "不知道", "两侧对称", "都没有", "都没有", "没有", "生成摘要",
]
MARKER = re.compile(r"编号([0-9a-f]{12})")
APOLOGY_START = "抱歉,系统暂时无法回答"  # channels/turn.py APOLOGY: a failed turn


def script(marker: str, messages: int) -> List[str]:
    return [SCRIPT[i % len(SCRIPT)].format(marker=marker) for i in range(messages)]


def signature(turn: List[Dict[str, Any]], sender: str, marker: str) -> Tuple[str, ...]:
    """A turn's content, with this conversation's own marker and id taken out."""
    parts = []
    for message in turn:
        if message.get("recipient_id") not in (None, sender):
            parts.append("<other recipient>")
        parts.append((message.get("text") or "").replace(marker, "<marker>"))
        parts.extend(b.get("payload", "") for b in message.get("buttons") or [])
    return tuple(parts)


async def conversation(
    session: aiohttp.ClientSession, url: str, messages: int, latencies: List[float], empty_ok: bool = False
) -> Dict[str, Any]:
    marker = uuid.uuid4().hex[:12]
    sender = f"load-{uuid.uuid4().hex}"
    turns, errors = [], []
    for text in script(marker, messages):
        began = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as reply:
                body = await reply.json(content_type=None)
                if reply.status != 200 or not isinstance(body, list) or not (body or empty_ok):
                    errors.append(f"HTTP {reply.status}")
                    turns.append(None)
                    continue
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            errors.append(type(error).__name__)
            turns.append(None)
            continue
        finally:
            latencies.append(time.perf_counter() - began)
        if any((m.get("text") or "").startswith(APOLOGY_START) for m in body):
            errors.append("apology")  # the server could not answer this turn
        turns.append(body)
    return {"sender": sender, "marker": marker, "turns": turns, "errors": errors}


def crossed(result: Dict[str, Any], reference: List[Tuple[str, ...]], apology: Optional[str]) -> int:
    """Turns that are not this conversation's own: different from the reference, or with a foreign marker."""
    count = 0
    for turn, expected in zip(result["turns"], reference):
        if turn is None:
            continue
        foreign = {m for msg in turn for m in MARKER.findall(msg.get("text") or "")} - {result["marker"]}
        if foreign or signature(turn, result["sender"], result["marker"]) != expected:
            count += 1
    return count


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run(base_url: str, conversations: int, messages: int, timeout: float = 120,
              empty_ok: bool = False) -> Dict[str, Any]:
    """Run the load and return the report; errors and crossed must both be 0.

    empty_ok: an empty turn is a reply, not an error (the stock `rasa init` bot answers Chinese with nothing).
    """
    url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=conversations + 1)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        warmup: List[float] = []
        ref = await conversation(session, url, messages, warmup, empty_ok)
        if ref["errors"]:
            raise RuntimeError(f"the reference conversation failed: {ref['errors']}")
        reference = [signature(t, ref["sender"], ref["marker"]) for t in ref["turns"]]
        latencies: List[float] = []
        began = time.perf_counter()
        results = await asyncio.gather(
            *(conversation(session, url, messages, latencies, empty_ok) for _ in range(conversations))
        )
        wall = time.perf_counter() - began
    errors = sum(len(r["errors"]) for r in results)
    return {
        "conversations": conversations,
        "messages_per_conversation": messages,
        "requests": len(latencies),
        "errors": errors,
        "crossed": sum(crossed(r, reference, None) for r in results),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 1),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="the Rasa server (or the proxy in front)")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120, help="seconds allowed per request")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args.url, args.conversations, args.messages, args.timeout))
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["errors"] == 0 and report["crossed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
