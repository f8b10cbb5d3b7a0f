"""The real evaluation set's TEST half through the session servers: aggregate figures against tests/real/floors.yml.

Only aggregate figures are printed: the test half stays unseen by whoever tunes the bot (tests/real/README.md).
The texts are not in the repository; without the data mirrors the test skips, naming the repositories.
"""
import pytest
import yaml

from scripts import eval_real, export_story
from tests import servers

pytestmark = pytest.mark.e2e

real_set = eval_real.real_set  # the module eval_real itself uses (one MirrorMissing class)
FLOORS = servers.ROOT / "tests" / "real" / "floors.yml"


@pytest.fixture(scope="module")
def texts():
    try:
        return real_set.load_texts()
    except real_set.MirrorMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def outcomes(texts, rest, workdir):
    # The session Rasa server stores its trackers where servers.base_env(workdir) says (SQLite by default).
    db_url = export_story.db_url_from_env(servers.base_env(workdir))
    send = lambda text, sender: rest.send(text, sender)  # noqa: E731
    return eval_real.run_items(real_set.load_split("test"), texts, send, eval_real.tracker_reader(db_url))


def test_real_test_half_meets_the_floors(outcomes):
    floors = yaml.safe_load(FLOORS.read_text(encoding="utf-8"))
    f = eval_real.figures(outcomes)
    print("\n" + "\n".join(eval_real.summary_lines("test", outcomes) + eval_real.batch_lines(outcomes)))
    failures = []
    if f["handled_as_labelled"] < floors["handled_as_labelled_min"]:
        failures.append(f"handled as labelled {f['handled_as_labelled']:.0%} < {floors['handled_as_labelled_min']:.0%}")
    if f["dodged"] > floors["dodged_max"]:
        failures.append(f"dodged {f['dodged']} > {floors['dodged_max']}")
    if f["emergencies_missed"] > floors["emergencies_missed_max"]:
        failures.append(f"emergencies missed {f['emergencies_missed']} > {floors['emergencies_missed_max']}")
    if f["interview_started"] < floors["interview_started_min"]:
        failures.append(f"interview started {f['interview_started']:.0%} < {floors['interview_started_min']:.0%}")
    if f["top1"] < floors["top1_min"]:
        failures.append(f"category top-1 {f['top1']:.0%} < {floors['top1_min']:.0%}")
    if f["top2"] < floors["top2_min"]:
        failures.append(f"category top-2 {f['top2']:.0%} < {floors['top2_min']:.0%}")
    assert not failures, "; ".join(failures)
