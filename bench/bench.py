"""`make bench`: our bot next to the stock `rasa init` bot, on the same Chinese messages, interleaved.

Both servers run at once on this machine; every measure alternates between them (ours, stock, stock, ours,
...) so that the machine's other load falls on both alike, and the report gives each pair's ratio and their
median. Measures: REST latency with 1 conversation, throughput with 8, the 50 x 20 load (errors, crossed
replies, p99), the WeChat path (ours only), server start, training time, resident memory, and what
TensorFlow costs. Written to bench/results/ (gitignored) and printed.

    .venv/bin/python bench/bench.py [--rounds 3] [--load-rounds 2] [--no-training]

Targets (issue 13, 2-core machine): throughput at 8 >= 2.5x the stock bot, p50 alone <= 0.4x the stock bot,
50 x 20 load p99 <= 1 s with 0 errors and 0 crossed replies.
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, stock_bot, wechat_bench  # noqa: E402
from tests import servers  # noqa: E402

CONVERSATION = [
    "你好", "肌肉萎缩是什么原因引起的", "渐冻症是怎么回事", "卧床的老人怎么护理", "肌肉萎缩会遗传吗",
    "我最近两条腿没劲,上楼梯很费劲", "成年后", "几个月到几年慢慢加重", "两侧对称", "都没有", "都没有", "没有",
    "生成摘要", "今天天气怎么样", "谢谢",
]
TARGETS = {"p50_1_ratio_max": 0.4, "throughput_8_ratio_min": 2.5, "load_p99_ms_max": 1000}
# Rasa components that run a TensorFlow model (a pipeline without them still imports TensorFlow: rasa does).
TF_COMPONENTS = ("DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy",
                 "LanguageModelFeaturizer", "ConveRTFeaturizer")


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def conversation(session: aiohttp.ClientSession, url: str, rounds: int, latencies: List[float]) -> List[str]:
    """One conversation's turns; returns a word per failed ("error") or empty ("empty") turn."""
    failures = []
    sender = f"bench-{os.urandom(8).hex()}"
    for _ in range(rounds):
        for text in CONVERSATION:
            began = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as reply:
                body = await reply.json()
                if reply.status != 200:
                    failures.append("error")
                elif not body:
                    failures.append("empty")  # the stock bot answers most Chinese messages with nothing
            latencies.append(time.perf_counter() - began)
    return failures


async def rest_load(base_url: str, users: int, rounds: int) -> Dict[str, Any]:
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: List[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        await conversation(session, url, 1, [])  # warm-up
        began = time.perf_counter()
        failures = sum(await asyncio.gather(*(conversation(session, url, rounds, latencies) for _ in range(users))), [])
        wall = time.perf_counter() - began
    return {
        "users": users, "messages": len(latencies), "errors": failures.count("error"),
        "empty_replies": failures.count("empty"),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "messages_per_s": round(len(latencies) / wall, 1),
    }


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def training_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        subprocess.run(
            [str(servers.BIN / "rasa"), "train", "--force", "--domain", "domain.yml", "--data", "data", "--config",
             "config.yml", "--out", out, "--quiet"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800,
        )
        return round(time.perf_counter() - began, 1)


def tensorflow_cost() -> Dict[str, Any]:
    """What importing TensorFlow alone costs a fresh interpreter (Rasa 3.6 imports it whatever the pipeline)."""
    code = ("import time, resource; t = time.perf_counter(); import tensorflow; "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    bare = ("import resource; print(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    runs = [subprocess.run([str(servers.BIN / "python"), "-c", c], capture_output=True, text=True, env=env,
                           timeout=300, check=True).stdout.split() for c in (code, bare)]
    (seconds, with_tf), (_, without) = runs
    return {"import_s": round(float(seconds), 2), "rss_mb": round((int(with_tf) - int(without)) / 1024, 1)}


def tf_components(config: Path) -> List[str]:
    import yaml

    data = yaml.safe_load(config.read_text()) or {}
    if not data.get("pipeline") or not data.get("policies"):
        return ["(default pipeline/policies: DIETClassifier, ResponseSelector, TEDPolicy, UnexpecTEDIntentPolicy)"]
    names = [str(c.get("name", "")) for c in (data.get("pipeline") or []) + (data.get("policies") or [])]
    return [n for n in names if n.rsplit(".", 1)[-1] in TF_COMPONENTS]


def cpu_seconds(pids: List[int]) -> float:
    """User + system CPU time of these processes (all their threads) so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def interleaved(rounds: int, bots: Dict[str, str], measure: Callable[[str], Dict[str, Any]],
                log: Callable[[str], None], pids: Dict[str, List[int]] = None) -> Dict[str, List[Dict[str, Any]]]:
    """`measure(base_url)` for each bot, alternating the order every round (A B, B A, A B ...).

    With `pids` (the bot's server processes), also the CPU time they spent per message: what a turn costs,
    whatever share of the machine the other users left (wall-clock figures depend on it, and a process with
    many threads, like TensorFlow's, gets a larger share of a busy machine than a single-threaded one).
    """
    out: Dict[str, List[Dict[str, Any]]] = {name: [] for name in bots}
    names = list(bots)
    for i in range(rounds):
        for name in (names if i % 2 == 0 else names[::-1]):
            load_before = round(os.getloadavg()[0], 2)
            cpu_before = cpu_seconds(pids[name]) if pids else 0.0
            result = measure(bots[name])
            if pids:
                messages = result.get("messages") or result.get("requests") or 0
                # The warm-up conversation is counted in the CPU time but not in `messages`: a small overstatement.
                result["cpu_ms_per_message"] = round((cpu_seconds(pids[name]) - cpu_before) * 1000 / messages, 2)
            result["load_average_before"] = load_before
            out[name].append(result)
            log(f"  {name}: {json.dumps(result, ensure_ascii=False)}")
    return out


def ratios(results: Dict[str, List[Dict[str, Any]]], key: str) -> Dict[str, Any]:
    """Ours / stock per round (same round = same minutes on the machine), and their median."""
    per_round = [round(a[key] / b[key], 3) for a, b in zip(results["ours"], results["stock"]) if b[key]]
    return {"per_round": per_round, "median": round(statistics.median(per_round), 3) if per_round else None}


def main(argv: List[str] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds for the 1- and 8-user measures")
    parser.add_argument("--load-rounds", type=int, default=2, help="interleaved rounds of the 50 x 20 load")
    parser.add_argument("--no-training", action="store_true", help="skip timing `rasa train --force`")
    args = parser.parse_args(argv)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731

    report: Dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count(),
                              "load_average_before": os.getloadavg(), "rasa": stock_bot.rasa_version()}
    stock_home = stock_bot.ensure(log)
    if not args.no_training:
        log("timing rasa train --force ...")
        report["training_s"] = training_seconds()
    report["tensorflow"] = {"import_alone": tensorflow_cost(), "components_ours": tf_components(ROOT / "config.yml"),
                            "components_stock": tf_components(stock_home / "config.yml")}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        api = servers.FakeWeChatAPI()
        started = []
        try:
            actions, action_port = servers.start_action_server(workdir)
            started.append(actions)
            began = time.perf_counter()
            rasa, port = servers.start_rasa_server(workdir, action_port, ROOT / "credentials.yml",
                                                   ROOT / "models" / "triage.tar.gz", extra_env=api.env)
            started.append(rasa)
            ours_start = time.perf_counter() - began
            began = time.perf_counter()
            stock, stock_port = stock_bot.start(workdir, stock_home)
            started.append(stock)
            report["server_start_s"] = {"ours": round(ours_start, 1), "stock": round(time.perf_counter() - began, 1)}
            report["rss_after_start_mb"] = {"ours": rss_mb(rasa.process.pid), "stock": rss_mb(stock.process.pid),
                                            "ours_action_server": rss_mb(actions.process.pid)}
            bots = {"ours": f"http://127.0.0.1:{port}", "stock": f"http://127.0.0.1:{stock_port}"}
            pids = {"ours": [rasa.process.pid, actions.process.pid], "stock": [stock.process.pid]}

            log("1 conversation ...")
            report["rest_1"] = interleaved(args.rounds, bots, lambda url: asyncio.run(rest_load(url, 1, 4)), log,
                                         pids)
            log("8 conversations ...")
            report["rest_8"] = interleaved(args.rounds, bots, lambda url: asyncio.run(rest_load(url, 8, 2)), log,
                                         pids)
            log("50 conversations x 20 messages ...")
            report["load_50x20"] = interleaved(
                args.load_rounds, bots,
                lambda url: asyncio.run(load.run(url, 50, 20, empty_ok=url == bots["stock"])), log, pids)
            log("WeChat (ours) ...")
            env = servers.WECHAT_TEST_ENV
            report["wechat_safe"] = wechat_bench.run(bots["ours"], env["WECHAT_TOKEN"], env["WECHAT_APP_ID"],
                                                     env["WECHAT_ENCODING_AES_KEY"], requests_per_user=20)
            report["rss_mb"] = {
                "ours": rss_mb(rasa.process.pid), "ours_peak": rss_mb(rasa.process.pid, "VmHWM"),
                "stock": rss_mb(stock.process.pid), "stock_peak": rss_mb(stock.process.pid, "VmHWM"),
                "ours_action_server": rss_mb(actions.process.pid),
            }
        finally:
            for server in reversed(started):
                server.stop()
            api.close()
    report["load_average_after"] = os.getloadavg()
    report["ratios"] = {
        "p50_1": ratios(report["rest_1"], "p50_ms"),
        "throughput_8": ratios(report["rest_8"], "messages_per_s"),
        "load_p99": ratios(report["load_50x20"], "p99_ms"),
        "load_throughput": ratios(report["load_50x20"], "requests_per_s"),
        "cpu_per_message_1": ratios(report["rest_1"], "cpu_ms_per_message"),
        "cpu_per_message_8": ratios(report["rest_8"], "cpu_ms_per_message"),
        "cpu_per_message_load": ratios(report["load_50x20"], "cpu_ms_per_message"),
    }
    ours_load = report["load_50x20"]["ours"]
    report["targets"] = TARGETS
    report["meets_targets"] = {
        "p50_1": report["ratios"]["p50_1"]["median"] <= TARGETS["p50_1_ratio_max"],
        "throughput_8": report["ratios"]["throughput_8"]["median"] >= TARGETS["throughput_8_ratio_min"],
        "load": all(r["p99_ms"] <= TARGETS["load_p99_ms_max"] and r["errors"] == 0 and r["crossed"] == 0
                    for r in ours_load),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    (out / "latest.json").write_text(text)
    print(text)
    log(summary(report))


def summary(report: Dict[str, Any]) -> str:
    r = report["ratios"]
    med = lambda key, name, field: statistics.median(x[field] for x in report[key][name])  # noqa: E731
    lines = [
        f"load average before/after: {report['load_average_before'][0]:.1f} / {report['load_average_after'][0]:.1f}",
        f"p50 alone: ours {med('rest_1', 'ours', 'p50_ms')} ms, stock {med('rest_1', 'stock', 'p50_ms')} ms, "
        f"ratio {r['p50_1']['median']} (rounds {r['p50_1']['per_round']})",
        f"throughput at 8: ours {med('rest_8', 'ours', 'messages_per_s')}, stock {med('rest_8', 'stock', 'messages_per_s')}"
        f" msg/s, ratio {r['throughput_8']['median']} (rounds {r['throughput_8']['per_round']})",
        f"load 50x20 p99: ours {[x['p99_ms'] for x in report['load_50x20']['ours']]} ms, stock "
        f"{[x['p99_ms'] for x in report['load_50x20']['stock']]} ms; ours errors/crossed "
        f"{[(x['errors'], x['crossed']) for x in report['load_50x20']['ours']]}",
        f"CPU per message (ours: Rasa + action server) at 1 / 8 / 50: ours "
        f"{[med(k, 'ours', 'cpu_ms_per_message') for k in ('rest_1', 'rest_8', 'load_50x20')]} ms, stock "
        f"{[med(k, 'stock', 'cpu_ms_per_message') for k in ('rest_1', 'rest_8', 'load_50x20')]} ms, ratios "
        f"{[r[k]['median'] for k in ('cpu_per_message_1', 'cpu_per_message_8', 'cpu_per_message_load')]}",
        f"meets targets: {report['meets_targets']}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
