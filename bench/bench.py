"""`make bench`: REST latency and throughput at 1 and 8 conversations, server start time, training time,
resident memory, the WeChat path and the 50-conversation load, written to bench/results/.

Targets (2-core machine): p50 <= 50 ms alone; p99 <= 400 ms and >= 30 messages/s at 8 conversations.
"""
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, wechat_bench  # noqa: E402
from tests import servers  # noqa: E402

CONVERSATION = [
    "你好", "肌肉萎缩是什么原因引起的", "渐冻症是怎么回事", "卧床的老人怎么护理", "肌肉萎缩会遗传吗",
    "我最近两条腿没劲,上楼梯很费劲", "成年后", "几个月到几年慢慢加重", "两侧对称", "都没有", "都没有", "没有",
    "生成摘要", "今天天气怎么样", "谢谢",
]
TARGETS = {"p50_1_ms": 50, "p99_8_ms": 400, "throughput_8_mps": 30}


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def conversation(session: aiohttp.ClientSession, url: str, rounds: int, latencies: List[float]) -> int:
    errors = 0
    sender = f"bench-{os.urandom(8).hex()}"
    for _ in range(rounds):
        for text in CONVERSATION:
            began = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as reply:
                body = await reply.json()
                if reply.status != 200 or not body:
                    errors += 1
            latencies.append(time.perf_counter() - began)
    return errors


async def rest_load(base_url: str, users: int, rounds: int) -> Dict[str, Any]:
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: List[float] = []
    async with aiohttp.ClientSession() as session:
        await conversation(session, url, 1, [])  # warm-up
        began = time.perf_counter()
        errors = sum(await asyncio.gather(*(conversation(session, url, rounds, latencies) for _ in range(users))))
        wall = time.perf_counter() - began
    return {
        "users": users, "messages": len(latencies), "errors": errors,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "messages_per_s": round(len(latencies) / wall, 1),
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def training_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        subprocess.run(
            [str(servers.BIN / "rasa"), "train", "--force", "--domain", "domain.yml", "--data", "data", "--config",
             "config.yml", "--out", out, "--quiet"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return round(time.perf_counter() - began, 1)


def main() -> None:
    report: Dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count(),
                              "load_average_before": os.getloadavg()}
    report["training_s"] = training_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        api = servers.FakeWeChatAPI()
        actions, action_port = servers.start_action_server(workdir)
        began = time.perf_counter()
        rasa, port = servers.start_rasa_server(workdir, action_port, ROOT / "credentials.yml",
                                               ROOT / "models" / "triage.tar.gz", extra_env=api.env)
        report["server_start_s"] = round(time.perf_counter() - began, 1)
        base = f"http://127.0.0.1:{port}"
        try:
            report["rest_1"] = asyncio.run(rest_load(base, 1, 4))
            report["rest_8"] = asyncio.run(rest_load(base, 8, 2))
            env = servers.WECHAT_TEST_ENV
            report["wechat_safe"] = wechat_bench.run(base, env["WECHAT_TOKEN"], env["WECHAT_APP_ID"],
                                                     env["WECHAT_ENCODING_AES_KEY"], requests_per_user=20)
            report["load_50x20"] = asyncio.run(load.run(base, 50, 20))
            report["rss_mb"] = {"rasa_server": rss_mb(rasa.process.pid), "action_server": rss_mb(actions.process.pid)}
        finally:
            rasa.stop()
            actions.stop()
            api.close()
    report["targets"] = TARGETS
    report["meets_targets"] = {
        "p50_1": report["rest_1"]["p50_ms"] <= TARGETS["p50_1_ms"],
        "p99_8": report["rest_8"]["p99_ms"] <= TARGETS["p99_8_ms"],
        "throughput_8": report["rest_8"]["messages_per_s"] >= TARGETS["throughput_8_mps"],
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"bench-{stamp}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    (out / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
