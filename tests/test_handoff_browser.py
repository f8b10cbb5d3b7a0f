"""Human handoff with two pages at once: a patient on the web chat and staff in the console (Debian's Chromium,
Playwright), against the session's Rasa, action and console servers."""
import pytest

from staff import handoff
from staff.db import StaffDB
from tests.test_staff_browser import Console
from tests.test_web_browser import PHONE, Chat

pytestmark = pytest.mark.browser

TIMEOUT = 30_000  # ms
EMERGENCY = "我爸刚才突然说话不清楚右手拿不住东西"


def type_into_chat(chat: Chat, text: str) -> None:
    """Send without waiting for a bot turn (a held message gets none)."""
    chat.page.get_by_label("输入您的问题或情况").fill(text)
    chat.page.keyboard.press("Enter")


def test_patient_and_staff_talk_live_then_the_bot_answers_again(browser, rasa_server, staff_console):
    from playwright.sync_api import expect

    patient_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    chat = Chat(patient_context, f"{rasa_server}/chat/")
    editor, other = Console(browser, staff_console["url"]), Console(browser, staff_console["url"])
    try:
        chat.send("我要找人工客服")
        expect(chat.page.locator("#log .msg.bot").last).to_contain_text("已为您转接人工客服")
        chat.assert_turn_ends_with_disclaimer()
        database = StaffDB(staff_console["db_url"])
        row = handoff.open_for(database, chat.session_id)
        assert row is not None and row["status"] == handoff.WAITING and row["channel"] == "socketio"

        # Two staff see the queue; the first claims, the second's click comes too late.
        editor.login("editor1", path="/handoff")
        other.login("editor2", path="/handoff")
        for console in (editor, other):
            expect(console.page.locator(f'#queue tr[data-id="{row["id"]}"]')).to_contain_text("等待接入", timeout=TIMEOUT)
        editor.page.locator(f'#queue tr[data-id="{row["id"]}"]').get_by_role("button", name="接入").click()
        expect(editor.page.locator("h1")).to_have_text("人工客服 · 对话")
        expect(editor.page.locator("#lines")).to_contain_text("我要找人工客服")
        other.page.locator(f'#queue tr[data-id="{row["id"]}"]').get_by_role("button", name="接入").click()
        expect(other.page.locator("main")).to_contain_text("已由 editor1 接入")
        expect(chat.page.locator("#log .msg.bot").last).to_contain_text("工作人员已接入", timeout=TIMEOUT)

        # Staff -> patient, live, shown as a person, with the disclaimer after it.
        editor.page.get_by_label("回复病人").fill("您好,我是客服小王,请问哪里不舒服?")
        editor.page.get_by_role("button", name="发送").click()
        staff_bubble = chat.page.locator("#log .msg.staff")
        expect(staff_bubble.last).to_contain_text("我是客服小王", timeout=TIMEOUT)
        expect(staff_bubble.last).to_contain_text("人工客服")
        chat.assert_turn_ends_with_disclaimer()
        expect(editor.page.locator("#reply-note")).to_be_hidden()

        # Patient -> staff, live; the bot stays silent and the page does not keep "typing".
        bot_before = chat.page.locator("#log .msg.bot").count()
        type_into_chat(chat, "两条腿没劲两个月了")
        expect(editor.page.locator("#lines .line.patient").last).to_contain_text("两条腿没劲两个月了", timeout=TIMEOUT)
        expect(chat.page.locator("#typing")).to_be_hidden(timeout=TIMEOUT)
        assert chat.page.locator("#log .msg.bot").count() == bot_before

        # An emergency is never held: the 120 reply comes at once, and the console marks it.
        chat.send(EMERGENCY)
        expect(chat.page.locator("#log .msg.bot.emergency").last).to_contain_text("120")
        expect(editor.page.locator("#lines .line.emergency").last).to_contain_text("说话不清楚", timeout=TIMEOUT)
        assert handoff.get(database, row["id"])["urgent"]

        # A reload keeps the staff message.
        chat.page.reload()
        expect(chat.page.locator("#log .msg.staff").last).to_contain_text("我是客服小王", timeout=TIMEOUT)
        # The history shows before the socket is back in the session's room: wait until it is live again
        # (a push in that gap is stored but not shown live; see docs/handoff.md).
        expect(chat.page.locator("html[data-live=true]")).to_have_count(1, timeout=TIMEOUT)

        # End: the bot is back, says so, and answers again.
        editor.screenshot("handoff", docs=True)
        editor.page.get_by_role("button", name="结束人工服务,交回机器人").click()
        expect(editor.page.locator("main")).to_contain_text("已结束人工服务")
        expect(chat.page.locator("#log .msg.bot").last).to_contain_text("人工客服已结束", timeout=TIMEOUT)
        assert handoff.get(database, row["id"])["status"] == handoff.ENDED
        chat.send("肌肉萎缩是什么原因引起的")
        expect(chat.page.locator("#log .msg.bot").last).to_contain_text("想了解哪一类")  # action_explain_causes
        chat.assert_turn_ends_with_disclaimer()
        chat.assert_clean()
        # The late claim's page is a 409 (Conflict), which Chromium logs as a failed resource: expected.
        assert editor.errors == [] and [e for e in other.errors if "409" not in e] == []
        database.engine.dispose()
    finally:
        for console in (editor, other):
            console.context.close()
        patient_context.close()
