"""The staff console in a real browser (Debian's /usr/bin/chromium, Playwright), against the session's Rasa
and action servers and their tracker store. Screenshots go to test-artifacts/; some become docs/staff-*.png."""
import os
import re
import shutil
import sys
import time
import uuid
from urllib.parse import quote

import pytest
import requests
import yaml

from tests import servers
from tests.conftest import MODEL, STAFF_PASSWORD

pytestmark = pytest.mark.browser

ARTIFACTS = servers.ROOT / "test-artifacts"
DOCS = servers.ROOT / "docs"
LAPTOP = {"width": 1180, "height": 820}
PHONE = {"width": 375, "height": 740}
TIMEOUT = 30_000  # ms
EMERGENCY = "我爸刚才突然说话不清楚右手拿不住东西"
UNCLEAR = "哈哈嘿嘿嘻嘻"  # nlu_fallback with the model of 2026-11-26 (after the handoff intent: 嘿嘿这个那个 became faq 0.39)
SMOKE_STORY = "问诊中途问常见问题,答完回到问诊"
BROKEN_STORY = "故障示例:期望回答常见问题时给护理建议"


class Console:
    """One logged-in (or not yet) browser context on the console, with the page errors it logged."""

    def __init__(self, browser, url: str, viewport=LAPTOP) -> None:
        from playwright.sync_api import expect

        self.expect = expect
        self.url = url
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        self.page = self.context.new_page()
        self.errors = []
        # A refused login answers 401 or 429, which Chromium logs as a failed resource: expected here.
        self.page.on("console", lambda m: m.type == "error" and not re.search(r"status of (401|429)", m.text)
                     and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def login(self, name: str, password: str = STAFF_PASSWORD, path: str = "/") -> None:
        self.page.goto(self.url + path)
        self.page.get_by_label("用户名").fill(name)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()

    def go(self, path: str) -> None:
        self.page.goto(self.url + path)

    def screenshot(self, name: str, docs: bool = False, full_page: bool = False):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"staff-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        target = DOCS / f"staff-{name}.png"
        if docs and (not target.exists() or os.environ.get("UPDATE_SCREENSHOT") == "1"):
            shutil.copyfile(path, target)
        assert path.stat().st_size < 400_000
        return path

    def assert_fits_width(self) -> None:
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page {self.page.url} is {overflow}px wider than the screen"

    def close(self) -> None:
        assert self.errors == [], f"browser errors: {self.errors}"
        self.context.close()


@pytest.fixture
def editor(browser, staff_console):
    console = Console(browser, staff_console["url"])
    console.login("editor1")
    console.expect(console.page.get_by_role("heading", name=re.compile("概览"))).to_be_visible()
    yield console
    console.close()


def test_login_filter_and_open_a_conversation(browser, staff_console, rest):
    patient = f"patient-{uuid.uuid4().hex}"
    rest.send(EMERGENCY, patient)
    rest.send("肌肉萎缩会遗传吗", f"patient-{uuid.uuid4().hex}")
    console = Console(browser, staff_console["url"])
    console.login("editor1", "wrong password", path="/conversations")
    console.expect(console.page.get_by_role("alert")).to_contain_text("用户名或密码不对")
    console.screenshot("login", docs=True)
    console.page.get_by_label("密码").fill(STAFF_PASSWORD)
    console.page.get_by_label("用户名").fill("editor1")
    console.page.get_by_role("button", name="登录").click()
    console.expect(console.page.get_by_role("heading", name="对话")).to_be_visible()
    console.page.get_by_label("急症").check()
    console.page.get_by_role("button", name="筛选").click()
    rows = console.page.locator("table.list tbody tr")
    console.expect(rows.first).to_contain_text("急症(120)")
    assert all("急症" in text for text in rows.all_inner_texts())
    stored = quote(rest.conversation_id(patient), safe="/")  # REST conversations are stored as rest:<sender>
    console.page.locator(f'a[href="/conversations/{stored}"]').click()
    console.expect(console.page.get_by_role("heading", name="对话详情")).to_be_visible()
    nlu = console.page.locator(".turn .nlu").first
    console.expect(nlu).to_contain_text("red_flag")
    console.expect(nlu).to_contain_text("急症信号")
    console.expect(console.page.locator(".card.emergency")).to_be_visible()
    console.expect(console.page.locator(".disclaimer").first).to_contain_text("仅供参考")
    console.screenshot("conversation", docs=True)
    console.go("/audit")
    console.expect(console.page.locator("tbody")).to_contain_text(rest.conversation_id(patient))  # audited
    console.close()


def test_correct_an_intent_in_the_inbox_and_find_the_yaml(editor, staff_console, rest):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    reply = rest.send(UNCLEAR, f"patient-{uuid.uuid4().hex}")
    assert any("没太理解" in (m.get("text") or "") for m in reply), reply  # a fallback: it goes to the inbox
    editor.go("/inbox")
    item = editor.page.locator("form.inbox-item", has_text=UNCLEAR).first
    editor.expect(item).to_be_visible()
    item.get_by_label("正确的意图").select_option("dont_know")
    editor.screenshot("inbox", docs=True)
    item.get_by_role("button", name="确认 / 改正").click()
    done = editor.page.locator("table tbody tr", has_text=UNCLEAR).first
    editor.expect(done).to_contain_text("dont_know")
    editor.expect(done).to_contain_text("待训练")
    written = staff_console["reviewed"] / "dont_know.yml"
    parsed = RasaYAMLReader().reads(written.read_text(encoding="utf-8"))
    assert [(m.get("intent"), m.get("text")) for m in parsed.intent_examples] == [("dont_know", UNCLEAR)]


def test_talk_to_the_bot_and_save_a_story_that_passes(editor, staff_console, rasa_server, workdir, action_server, tmp_path):
    editor.go("/talk")
    page = editor.page
    page.get_by_label("输入要对机器人说的话").fill("我最近两条腿没劲,上楼很费劲")
    page.keyboard.press("Enter")
    first = page.locator("#debug li").first
    editor.expect(first).to_contain_text("describe_symptoms", timeout=TIMEOUT)
    editor.expect(first).to_contain_text("action_begin_interview")
    editor.expect(first).to_contain_text("接着问")
    for _ in range(8):  # answer 不清楚 until the result card comes
        if page.locator("#log .card").count():
            break
        turns = page.locator("#debug li").count()
        page.locator("#log .replies").last.get_by_role("button", name="不清楚").click()
        editor.expect(page.locator("#debug li")).to_have_count(turns + 1, timeout=TIMEOUT)
    editor.expect(page.locator("#log .card")).to_have_count(1)
    editor.expect(page.locator("#debug li").last).to_contain_text("triage_result")
    # The result turn ends with the offer of a person (its own button group) after the feedback buttons.
    page.locator("#log .replies").filter(has=page.get_by_role("button", name="有帮助")).last.get_by_role(
        "button", name="有帮助").click()
    editor.expect(page.locator("#debug li").last).to_contain_text("action_store_feedback", timeout=TIMEOUT)
    editor.expect(page.locator("#log .disclaimer").last).to_contain_text("仅供参考")
    editor.screenshot("talk", docs=True)

    page.get_by_role("link", name="存为测试故事").click()
    editor.expect(page.get_by_role("heading", name="存为测试故事")).to_be_visible()
    text = page.locator("textarea").input_value()
    story = yaml.safe_load(text)["stories"][0]
    assert story["steps"][0]["intent"] == "describe_symptoms"
    page.locator("textarea").fill(re.sub(r'story: "来自真实对话 [^"]+"', 'story: "控制台:两条腿没劲,全答不清楚"', text))
    page.get_by_label(re.compile("文件名")).fill("console_legs")
    page.get_by_role("button", name="保存故事").click()
    editor.expect(page.get_by_role("status")).to_contain_text("test_console_legs.yml")
    saved = staff_console["stories"] / "test_console_legs.yml"

    # What `make test-stories` does with it: both checks, against the session's servers.
    sys.path.insert(0, str(servers.ROOT / "scripts"))
    import run_stories
    import story_report

    results = run_stories.run([saved], MODEL, tmp_path / "reports", tmp_path / "results", rasa_url=rasa_server,
                              db_url=f"sqlite:///{workdir / 'tracker.db'}", action_port=action_server)
    assert [r.name for r in results] == ["控制台:两条腿没劲,全答不清楚"]
    assert not story_report.failed(results), (tmp_path / "reports" / "stories.md").read_text(encoding="utf-8")


def test_run_the_checks_and_see_the_reports(editor, staff_console):
    stories = yaml.safe_load((servers.ROOT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    smoke = next(s for s in stories if s["story"] == SMOKE_STORY)
    broken = yaml.safe_load(yaml.safe_dump(smoke, allow_unicode=True))  # a copy that expects the wrong answer
    broken["story"] = BROKEN_STORY
    next(step for step in broken["steps"] if step.get("action") == "action_answer_faq")["action"] = "action_care_advice"
    (staff_console["check_stories"] / "test_smoke.yml").write_text(yaml.safe_dump(
        {"version": "3.1", "stories": [smoke, broken]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    editor.go("/checks")
    page = editor.page
    page.get_by_role("button", name="运行对话故事测试").click()
    editor.expect(page.locator("#progress")).to_contain_text("运行中")
    editor.expect(page.get_by_role("button", name="运行 NLU 报告")).to_be_disabled()  # one at a time
    editor.screenshot("checks-running")
    latest = page.locator("#runs tbody tr").first
    editor.expect(latest).to_contain_text("未通过", timeout=180_000)  # the page reloads when the job ends
    editor.expect(latest).to_contain_text("失败 1 个")
    latest.get_by_role("link").click()
    editor.expect(page.locator("table.stories tr.ok", has_text=SMOKE_STORY)).to_be_visible()
    failed = page.locator("table.stories tr.fail")
    editor.expect(failed).to_have_count(1)
    editor.expect(failed).to_contain_text(BROKEN_STORY)
    # Where the bot went another way, in plain Chinese, for both checks.
    editor.expect(failed).to_contain_text("第 3 轮")
    editor.expect(failed).to_contain_text("肌肉萎缩会遗传吗")
    editor.expect(failed).to_contain_text("给护理与康复建议")
    editor.expect(failed.locator("p")).to_have_count(2)
    if (staff_console["stories"] / "test_console_legs.yml").exists():  # saved by the talk test, when it ran first
        editor.expect(page.locator("table.stories tr.ok", has_text="控制台:两条腿没劲")).to_be_visible()
    editor.screenshot("story-report", docs=True)

    editor.go("/checks")
    page.get_by_role("button", name="运行 NLU 报告").click()
    latest = page.locator("#runs tbody tr").first
    editor.expect(latest).to_contain_text("NLU", timeout=10_000)
    editor.expect(latest).to_contain_text("意图 macro F1", timeout=180_000)
    latest.get_by_role("link").click()
    editor.expect(page.locator("pre.report")).to_contain_text("留出集")
    matrix = page.locator("figure img").first
    editor.expect(matrix).to_be_visible()
    assert matrix.evaluate("img => img.naturalWidth") > 100  # the confusion matrix loaded
    editor.screenshot("nlu-report", docs=True)


def test_a_viewer_cannot_edit(browser, staff_console):
    console = Console(browser, staff_console["url"])
    console.login("viewer1", path="/inbox")
    page = console.page
    console.expect(page.get_by_role("heading", name=re.compile("待审核"))).to_be_visible()
    assert page.get_by_role("button", name="确认 / 改正").count() == 0
    assert page.get_by_role("link", name="和机器人对话").count() == 0
    console.go("/checks")
    assert page.get_by_role("button", name="运行对话故事测试").count() == 0
    token = page.locator('form[action="/logout"] input[name="csrf"]').get_attribute("value")
    refused = page.request.post(staff_console["url"] + "/inbox/decide", form={
        "csrf": token, "key": "x:y", "text": "随便", "intent": "greet", "action": "label"})
    assert refused.status == 403 and "只读账号" in refused.text()
    assert page.request.get(staff_console["url"] + "/talk").status == 403
    console.close()


def test_a_forged_form_without_the_csrf_token_is_refused(editor, staff_console):
    forged = editor.page.request.post(staff_console["url"] + "/checks/start", form={"kind": "stories"})
    assert forged.status == 403 and "CSRF" in forged.text()
    # From another site the strict session cookie is not even sent.
    other = requests.post(staff_console["url"] + "/checks/start", data={"kind": "stories"}, timeout=10)
    assert other.status_code == 401


def test_pages_fit_a_phone(browser, staff_console):
    console = Console(browser, staff_console["url"], viewport=PHONE)
    console.login("editor1")
    for path in ("/", "/conversations", "/inbox", "/talk", "/checks", "/audit"):
        console.go(path)
        console.assert_fits_width()
    console.go("/conversations")
    console.page.locator("table.list tbody a").first.click()
    console.assert_fits_width()
    console.screenshot("phone")
    console.go("/")
    console.screenshot("overview", full_page=True)
    console.close()


def test_overview_counts_feedback(editor):
    editor.go("/")
    editor.expect(editor.page.get_by_role("heading", name=re.compile("病人反馈"))).to_be_visible()
    editor.expect(editor.page.locator(".panel", has_text="病人反馈")).to_contain_text("有帮助")
    editor.screenshot("overview", docs=True, full_page=True)


def test_wrong_passwords_slow_down_the_login(browser, staff_console):
    console = Console(browser, staff_console["url"])
    for _ in range(3):
        console.login("editor2", "not the password")
        console.expect(console.page.get_by_role("alert")).to_contain_text("用户名或密码不对")
    started = time.time()
    console.login("editor2")  # the right password, too soon
    console.expect(console.page.get_by_role("alert")).to_contain_text("登录失败次数过多")
    assert time.time() - started < 10  # refused at once, not hung
    console.close()
