"""Latency of the WeChat channel: request to passive reply, p50/p99, at 1 and 8 concurrent users.

Library: `run(base_url, token, ...)` returns a dict (bench/bench.py prints it next to the REST figures).
Alone:   .venv/bin/python bench/wechat_bench.py --start           (starts its own action + Rasa server)
         .venv/bin/python bench/wechat_bench.py --url http://127.0.0.1:5005 --token "$WECHAT_TOKEN" \
             [--app-id "$WECHAT_APP_ID" --aes-key "$WECHAT_ENCODING_AES_KEY" --mode safe]
"""
import argparse
import json
import math
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.wechat_sim import PLAIN, SAFE, WeChatSimulator  # noqa: E402

# A mix of turns: a response from the domain, and questions answered by custom actions.
TEXTS = ("你好", "肌肉萎缩是什么原因", "怎么护理和康复", "渐冻症是怎么回事")
TARGET_P99_MS = 1000.0


def percentile(values: List[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: with few samples p99 is the slowest one or two)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _user(sim: WeChatSimulator, mode: str, requests_per_user: int, texts: Iterable[str], out: Dict) -> None:
    openid = sim.new_openid()
    texts = list(texts)
    for i in range(requests_per_user):
        message = sim.text(openid, texts[i % len(texts)])
        started = time.perf_counter()
        try:
            reply = sim.post(message, mode, timeout=10)
        except requests.RequestException:
            out["errors"] += 1
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        if reply.status != 200:
            out["errors"] += 1
        elif reply.content is None:
            out["late"] += 1  # 'success': the turn missed the budget and went out through the API
        else:
            out["latencies"].append(elapsed_ms)


def measure(sim: WeChatSimulator, users: int, requests_per_user: int, mode: str,
            texts: Iterable[str] = TEXTS) -> Dict:
    """`users` threads, each a new OpenID with its own HTTP connection, sending requests one after another."""
    slots = [{"latencies": [], "errors": 0, "late": 0} for _ in range(users)]
    threads = [threading.Thread(target=_user, args=(sim.clone(), mode, requests_per_user, texts, slot))
               for slot in slots]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies = [ms for slot in slots for ms in slot["latencies"]]
    return {
        "users": users,
        "requests": users * requests_per_user,
        "passive_replies": len(latencies),
        "late": sum(slot["late"] for slot in slots),
        "errors": sum(slot["errors"] for slot in slots),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else float("nan"),
        "throughput_rps": round(len(latencies) / wall, 1) if wall else 0.0,
    }


def run(base_url: str, token: str, app_id: str = "", encoding_aes_key: str = "", mode: Optional[str] = None,
        users: Iterable[int] = (1, 8), requests_per_user: int = 40, warmup: int = 4) -> Dict:
    """p50/p99 from a signed callback to its passive reply, per number of concurrent users.

    Safe (AES) mode when an EncodingAESKey is given, plaintext otherwise. Every user is a new OpenID.
    """
    mode = mode or (SAFE if encoding_aes_key else PLAIN)
    sim = WeChatSimulator(base_url, token, app_id, encoding_aes_key if mode != PLAIN else "")
    if mode != PLAIN and sim.crypto is None:
        raise ValueError("encrypted modes need app_id and encoding_aes_key")
    measure(sim, 1, warmup, mode)
    results = [measure(sim, n, requests_per_user, mode) for n in users]
    worst = max((r["p99_ms"] for r in results), default=float("nan"))
    return {
        "channel": "wechat",
        "mode": mode,
        "results": results,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": all(r["p99_ms"] < TARGET_P99_MS and r["errors"] == 0 and r["late"] == 0 for r in results),
        "worst_p99_ms": worst,
    }


def _start_servers(workdir: Path):
    from tests import servers

    api = servers.FakeWeChatAPI()
    actions, action_port = servers.start_action_server(workdir)
    rasa, port = servers.start_rasa_server(workdir, action_port, ROOT / "credentials.yml",
                                           ROOT / "models" / "triage.tar.gz", extra_env=api.env)
    return f"http://127.0.0.1:{port}", [rasa, actions], api


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", action="store_true", help="start an action and a Rasa server with test settings")
    parser.add_argument("--url", help="a running Rasa server with the wechat channel")
    parser.add_argument("--token")
    parser.add_argument("--app-id", default="")
    parser.add_argument("--aes-key", default="")
    parser.add_argument("--mode", choices=["plain", "compatible", "safe"],
                        help="plain only against a server without an EncodingAESKey (it refuses plaintext otherwise)")
    parser.add_argument("--requests", type=int, default=40, help="requests per user")
    args = parser.parse_args()
    processes, api = [], None
    if args.start:
        from tests import servers

        env = servers.WECHAT_TEST_ENV
        base_url, processes, api = _start_servers(Path(tempfile.mkdtemp(prefix="wechat-bench-")))
        token, app_id, aes_key = env["WECHAT_TOKEN"], env["WECHAT_APP_ID"], env["WECHAT_ENCODING_AES_KEY"]
    elif args.url and args.token:
        base_url, token, app_id, aes_key = args.url, args.token, args.app_id, args.aes_key
    else:
        parser.error("give --start, or --url and --token")
    try:
        print(json.dumps(run(base_url, token, app_id, aes_key, args.mode, requests_per_user=args.requests),
                         indent=2, ensure_ascii=False))
    finally:
        for process in processes:
            process.stop()
        if api:
            api.close()


if __name__ == "__main__":
    main()
