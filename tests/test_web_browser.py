"""The web chat at /chat/ in a real browser (Debian's /usr/bin/chromium, driven by Playwright), against the
real Rasa and action servers. Screenshots go to test-artifacts/; one becomes docs/screenshot.png."""
import os
import re
import shutil
from pathlib import Path
from typing import Callable, List

import pytest
import requests

from tests import servers

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI runs as root. The rest keeps Chromium from calling home (there is no internet).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = servers.ROOT / "test-artifacts"
DOCS_SCREENSHOT = servers.ROOT / "docs" / "screenshot.png"
PHONE = {"width": 375, "height": 740}
TURN_TIMEOUT = 30_000  # ms
CAUSE_QUESTION = "肌肉萎缩是什么原因引起的"
FRACTURE = "骨折打了六周石膏,拆了以后这条腿比另一条细了一圈"
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture
def chat_url(rasa_server) -> str:
    return f"{rasa_server}/chat/"


@pytest.fixture
def context(browser, rasa_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=rasa_server)
    yield context
    context.close()


class Chat:
    """One tab of the chat page, with the browser errors it logged (a CSP violation is one)."""

    def __init__(self, context, url: str, before_open: Callable = lambda page: None) -> None:
        from playwright.sync_api import expect

        self.expect = expect
        self.page = context.new_page()
        before_open(self.page)
        self.errors: List[str] = []
        self.dialogs: List[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} ({m.location})"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)
        # A new session is greeted by the bot; a resumed one shows its history.
        self.expect(self.disclaimers.first).to_be_visible(timeout=TURN_TIMEOUT)

    @property
    def disclaimers(self):
        return self.page.locator("#log > .disclaimer")

    @property
    def session_id(self) -> str:
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('triage.session')).id")

    def send(self, text: str) -> None:
        """Type and press Enter, then wait for the turn to end (its disclaimer)."""
        before = self.disclaimers.count()
        self.page.get_by_label("输入您的问题或情况").fill(text)
        self.page.keyboard.press("Enter")
        self.wait_turn(before)

    def wait_turn(self, before: int) -> None:
        self.expect(self.disclaimers).to_have_count(before + 1, timeout=TURN_TIMEOUT)
        self.expect(self.page.locator("#typing")).to_be_hidden()

    def click_reply(self, title: str) -> None:
        before = self.disclaimers.count()
        self.page.locator(".replies").last.get_by_role("button", name=title, exact=True).click()
        self.wait_turn(before)

    def bot_text(self) -> str:
        return "\n".join(self.page.locator("#log .msg.bot").all_inner_texts())

    def assert_turn_ends_with_disclaimer(self) -> None:
        last = self.page.locator("#log > *").last
        self.expect(last).to_have_class("disclaimer")
        assert "仅供参考" in last.inner_text()

    def assert_fits_width(self) -> None:
        overflow = self.page.evaluate(
            """() => ({doc: document.documentElement.scrollWidth - window.innerWidth,
                      log: document.getElementById('log').scrollWidth - document.getElementById('log').clientWidth})"""
        )
        assert overflow["doc"] <= 0 and overflow["log"] <= 0, f"horizontal overflow at 375 px: {overflow}"

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        assert self.errors == [], f"browser errors: {self.errors}"
        assert self.dialogs == [], f"unexpected dialogs: {self.dialogs}"


def test_page_headers_and_socket_origin(chat_url, rasa_server):
    page = requests.get(chat_url, timeout=10)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert '<meta http-equiv="Content-Security-Policy"' in page.text
    handshake = f"{rasa_server}/socket.io/?EIO=4&transport=polling"
    other_site = requests.get(handshake, headers={"Origin": "http://evil.example"}, timeout=10)
    assert other_site.status_code == 400
    own_page = requests.get(handshake, headers={"Origin": rasa_server}, timeout=10)
    assert own_page.status_code == 200 and own_page.headers["Access-Control-Allow-Origin"] == rasa_server
    # The Rasa HTTP API stays off: the page is the only way in besides the channels.
    assert requests.get(f"{rasa_server}/conversations/x/tracker", timeout=10).status_code == 404


def test_cause_question_answered_with_line_breaks_and_disclaimer(context, chat_url, relay):
    chat = Chat(context, chat_url)
    assert "肌肉萎缩科普助手" in chat.bot_text()  # the greeting
    relay.delay = 1.5  # a slow action server, so the typing indicator has time to show
    before = chat.disclaimers.count()
    chat.page.get_by_label("输入您的问题或情况").fill(CAUSE_QUESTION)
    chat.page.get_by_role("button", name="发送消息").click()
    chat.expect(chat.page.locator("#typing")).to_be_visible()
    chat.wait_turn(before)
    chat.expect(chat.page.locator(".msg.user").last).to_have_text(CAUSE_QUESTION)
    answer = chat.page.locator(".msg.bot", has_text="基因突变").last
    # innerText keeps a newline only where the page renders one.
    assert "\n1. 基因突变" in answer.inner_text() and "\n5. 营养不良" in answer.inner_text()
    chat.assert_turn_ends_with_disclaimer()
    chat.screenshot("cause-answer")
    chat.assert_clean()


def test_interview_ends_with_triage_card_and_copyable_summary(context, chat_url):
    chat = Chat(context, chat_url)
    chat.send(FRACTURE)
    chat.expect(chat.page.locator(".replies").last.get_by_role("button", name="都没有")).to_be_visible()
    chat.click_reply("都没有")
    chat.expect(chat.page.locator(".msg.user").last).to_have_text("都没有")  # the title, not the payload
    card = chat.page.locator("section.card")
    chat.expect(card).to_have_count(1)
    chat.expect(card.locator(".score-bar")).to_have_count(5)
    chat.expect(card).to_have_class("card self_care")
    chat.expect(card.locator(".department")).to_contain_text("康复医学科")
    widths = card.locator(".score-fill").evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)")
    assert widths[0] > widths[-1] >= 0 and widths[0] > 0, widths  # the leading cause has the longest bar
    chat.expect(card.locator(".cause").first).to_contain_text("曾石膏或支具固定")  # its reasons
    chat.assert_turn_ends_with_disclaimer()
    chat.assert_fits_width()

    copy = chat.page.get_by_role("button", name="复制病情摘要")
    copy.click()
    chat.expect(copy).to_have_text("已复制")
    assert chat.page.evaluate("navigator.clipboard.readText()").startswith("【病情摘要")

    card.evaluate("el => el.scrollIntoView({block: 'start'})")
    shot = chat.screenshot("triage-card")
    if not DOCS_SCREENSHOT.exists() or os.environ.get("UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, DOCS_SCREENSHOT)
    assert DOCS_SCREENSHOT.stat().st_size < 300_000
    chat.assert_clean()


def test_emergency_is_red_with_tap_to_call(context, chat_url):
    chat = Chat(context, chat_url)
    chat.send("我爸刚才突然说话不清楚右手拿不住东西")
    card = chat.page.locator("section.card")
    chat.expect(card).to_have_class("card emergency")
    call = card.get_by_role("link", name="立即拨打 120")
    chat.expect(call).to_have_attribute("href", "tel:120")
    colour = call.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(198, 40, 40)", colour
    chat.expect(chat.page.locator(".msg.bot.emergency").first).to_contain_text("120")  # the reply text too
    chat.assert_turn_ends_with_disclaimer()
    card.evaluate("el => el.scrollIntoView({block: 'start'})")
    chat.screenshot("emergency")
    chat.assert_clean()


def test_a_story_that_could_hide_an_emergency_opens_with_the_check_and_its_120_button(context, chat_url):
    chat = Chat(context, chat_url)
    chat.send("我妈今天早上起来腿就没劲了,是怎么回事")
    chat.expect(chat.page.locator("#log .msg.bot").filter(has_text="开始之前先确认一下")).to_have_count(1)
    chat.assert_turn_ends_with_disclaimer()
    chat.assert_fits_width()
    chat.screenshot("red-flag-check")
    # The check's button sits above the first question's buttons: tap it there.
    before = chat.disclaimers.count()
    chat.page.get_by_role("button", name="有其中的情况", exact=True).click()
    chat.wait_turn(before)
    chat.expect(chat.page.locator("section.card")).to_have_class("card emergency")
    chat.expect(chat.page.locator(".msg.bot.emergency").last).to_contain_text("120")
    chat.assert_turn_ends_with_disclaimer()
    chat.assert_clean()


def test_markup_is_shown_as_text_never_run(context, chat_url):
    chat = Chat(context, chat_url)
    chat.send(MARKUP)
    chat.expect(chat.page.locator(".msg.user").last).to_have_text(MARKUP)
    assert chat.page.locator("#log img").count() == 0
    # Bot messages are data too: a stored reply with markup, in text and in a card, renders as text.
    chat.page.evaluate(
        """markup => {
            const saved = JSON.parse(sessionStorage.getItem('triage.session'));
            saved.entries.push({from: 'bot', message: {text: markup}},
                {from: 'bot', message: {custom: {type: 'triage_result', urgency: markup, department: markup,
                 causes: [{name: markup, score: 0.5, reasons: [markup]}], red_flag_reasons: [markup]}}});
            sessionStorage.setItem('triage.session', JSON.stringify(saved));
        }""",
        MARKUP,
    )
    chat.page.reload()
    chat.expect(chat.page.locator("section.card .cause-name")).to_have_text(MARKUP)
    chat.page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert chat.page.locator("img").count() == 0
    chat.screenshot("markup-as-text")
    chat.assert_clean()


def test_phone_layout_ime_and_labels(context, chat_url):
    chat = Chat(context, chat_url)
    page = chat.page
    box = page.get_by_label("输入您的问题或情况")
    send = page.get_by_role("button", name="发送消息")
    chat.expect(page.get_by_role("button", name="重新开始:清空本页对话,开始新的会话")).to_be_visible()
    assert page.locator("#log").get_attribute("aria-live") == "polite"
    for element in (box, send):
        rect = element.bounding_box()
        assert rect and rect["x"] >= 0 and rect["x"] + rect["width"] <= PHONE["width"], rect
        assert rect["y"] + rect["height"] <= PHONE["height"], rect

    # Enter that confirms an IME candidate must not send: isComposing (Chrome) or keyCode 229 (Safari).
    users = page.locator(".msg.user")
    box.fill("肌肉")
    box.dispatch_event("keydown", {"key": "Enter", "isComposing": True, "bubbles": True, "cancelable": True})
    page.evaluate(
        """() => {
            const event = new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true});
            Object.defineProperty(event, 'keyCode', {get: () => 229});
            document.getElementById('input').dispatchEvent(event);
        }"""
    )
    page.wait_for_timeout(300)
    assert users.count() == 0 and box.input_value() == "肌肉"

    chat.send("A" * 300)  # one long unbreakable word must wrap, not widen the page
    chat.assert_fits_width()
    chat.screenshot("phone-375")
    chat.assert_clean()


def test_tabs_are_isolated_and_reload_resumes(context, chat_url):
    first = Chat(context, chat_url)
    second = Chat(context, chat_url)
    assert first.session_id != second.session_id and len(first.session_id) == 32

    first.send(FRACTURE)  # the interview starts and asks its first question
    second.send(CAUSE_QUESTION)
    assert FRACTURE not in second.page.locator("#log").inner_text()
    first_log = first.page.locator("#log").inner_text()
    assert CAUSE_QUESTION not in first_log and "想了解哪一类" not in first_log  # nor the answer to it

    session_id = first.session_id
    first.page.reload()
    first.expect(first.page.locator(".msg.user").first).to_have_text(FRACTURE)  # history kept in the tab
    assert first.session_id == session_id
    # Answering the question asked before the reload finishes the interview: Rasa kept the tracker and
    # the new socket joined the same session.
    first.click_reply("都没有")
    first.expect(first.page.locator("section.card")).to_have_count(1)
    second.page.wait_for_timeout(500)
    assert second.page.locator("section.card").count() == 0

    # "Duplicate tab" copies sessionStorage: the copy must notice and start its own session.
    saved = first.page.evaluate("sessionStorage.getItem('triage.session')")
    second.page.evaluate("saved => sessionStorage.setItem('triage.session', saved)", saved)
    second.page.reload()
    second.expect(second.page.locator("#status")).to_contain_text("另一个标签页")
    second.expect(second.page.locator(".msg.user")).to_have_count(0)
    second.expect(second.disclaimers).to_have_count(1, timeout=TURN_TIMEOUT)  # greeted afresh
    assert second.session_id not in (session_id, "") and first.session_id == session_id
    first.assert_clean()
    second.assert_clean()


def test_reconnect_resumes_the_session(context, chat_url):
    sockets = []

    def through_proxy(ws) -> None:
        sockets.append(ws)
        ws.connect_to_server()

    chat = Chat(context, chat_url, lambda page: page.route_web_socket(re.compile(r"/socket\.io/"), through_proxy))
    chat.send(FRACTURE)
    assert sockets, "socket.io-client never upgraded to a WebSocket"
    for ws in list(sockets):
        ws.close()  # the network drops: socket.io-client reconnects and re-sends session_request
    chat.expect(chat.page.locator("#status")).to_contain_text("连接已断开")
    chat.expect(chat.page.locator("#status")).to_be_empty(timeout=TURN_TIMEOUT)  # connected again
    chat.click_reply("都没有")  # the interview goes on in the same session
    chat.expect(chat.page.locator("section.card")).to_have_count(1)
    chat.assert_clean()


def test_restart_starts_a_new_session(context, chat_url):
    chat = Chat(context, chat_url)
    chat.send(FRACTURE)
    old_id = chat.session_id
    chat.page.get_by_role("button", name="重新开始:清空本页对话,开始新的会话").click()
    chat.expect(chat.page.locator(".msg.user")).to_have_count(0)
    chat.expect(chat.disclaimers).to_have_count(1, timeout=TURN_TIMEOUT)  # greeted afresh
    assert chat.session_id != old_id
    # The new session knows nothing of the interview: "都没有" is not an answer to a pending question.
    chat.send("都没有")
    assert chat.page.locator("section.card").count() == 0
    chat.assert_clean()
