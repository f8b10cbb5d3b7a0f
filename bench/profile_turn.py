"""Where a turn's time goes: py-spy samples the Rasa server and the action server while 8 conversations talk.

py-spy is a bench-only tool, not a project dependency: `.venv/bin/pip install py-spy` (or pass --py-spy PATH).

    .venv/bin/python bench/profile_turn.py [--seconds 20] [--conversations 8] [--top 40]

Prints, per process, the share of samples spent in each function (inclusive) and in its own code (self),
and keeps the raw samples in bench/results/profile-<process>.txt (py-spy's "raw" format).
"""
import argparse
import asyncio
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from tests import servers  # noqa: E402

_PATHS = re.compile(r"/\S*?/(site-packages|python3\.10)/")


def summary(raw: Path, top: int) -> List[str]:
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = line.rsplit(" ", 1)
        frames = [re.sub(r":\d+\)", ")", _PATHS.sub("", f)) for f in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    lines = [f"{total} samples", "-- inclusive"]
    lines += [f"{100 * c / total:5.1f}% {f}" for f, c in inclusive.most_common(top)]
    lines += ["-- self"] + [f"{100 * c / total:5.1f}% {f}" for f, c in own.most_common(top // 2)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or str(servers.BIN / "py-spy"))
    args = parser.parse_args()
    if not Path(args.py_spy).exists():
        sys.exit("py-spy not found: .venv/bin/pip install py-spy (bench only), or --py-spy PATH")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        actions, action_port = servers.start_action_server(workdir)
        try:
            rasa, port = servers.start_rasa_server(workdir, action_port, ROOT / "credentials.yml",
                                                   ROOT / "models" / "triage.tar.gz")
        except BaseException:
            actions.stop()
            raise
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(load.run(base, args.conversations, 20))  # warm-up
            spies = {
                name: subprocess.Popen([args.py_spy, "record", "-p", str(proc.process.pid), "-d", str(args.seconds),
                                        "-r", "200", "-f", "raw", "-o", str(out / f"profile-{name}.txt")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for name, proc in (("rasa", rasa), ("actions", actions))
            }
            began = time.time()
            while time.time() - began < args.seconds - 1:
                print(asyncio.run(load.run(base, args.conversations, 20)), file=sys.stderr)
            for spy in spies.values():
                spy.wait(timeout=args.seconds + 60)
        finally:
            rasa.stop()
            actions.stop()
    for name in ("rasa", "actions"):
        print(f"== {name} server")
        print("\n".join(summary(out / f"profile-{name}.txt", args.top)))


if __name__ == "__main__":
    main()
