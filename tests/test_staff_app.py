"""The staff console through Starlette's in-process client: login, sessions, CSRF, roles, throttling,
audit, and the pages over a synthetic tracker store. No Rasa server."""
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from staff import auth
from staff.app import create_app
from staff.config import Config
from staff.db import StaffDB
from tests import staff_events as ev

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def accounts(tmp_path_factory) -> Path:
    """A staff database with alice (editor) and vic (viewer), hashed once and copied for every test."""
    path = tmp_path_factory.mktemp("accounts") / "staff.db"
    database = StaffDB(f"sqlite:///{path}")
    auth.set_user(database, "alice", PASSWORD, "editor")
    auth.set_user(database, "vic", PASSWORD, "viewer")
    database.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, accounts):
    shutil.copy(accounts, tmp_path / "staff.db")
    now = time.time() - 7200  # recent, so the overview's last 14 days show them
    tracker_url = ev.write_store(tmp_path / "tracker.db", {
        "patient-a": ev.interview(now), "patient-b": ev.emergency(now + 50), "patient-c": ev.fallback(now + 60)})
    config = Config.from_env({
        "TRACKER_DB": str(tmp_path / "tracker.db"), "STAFF_DB_URL": f"sqlite:///{tmp_path / 'staff.db'}",
        "STAFF_NLU_DIR": str(tmp_path / "reviewed"), "STAFF_STORIES_DIR": str(tmp_path / "stories"),
        "STAFF_REPORTS_DIR": str(tmp_path / "reports"), "STAFF_LOGIN_MAX_FAILURES": "3",
        "STAFF_CHECK_STORIES": str(tmp_path / "stories"),
    })
    assert str(config.tracker_url) == tracker_url
    return create_app(config)


def client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def login(c: TestClient, name="alice", password=PASSWORD):
    page = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return c.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/conversations"})


def csrf_of(c: TestClient, path="/inbox") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


def audit(app):
    return [(e["user"], e["action"], e["target"]) for e in app.state.services.db.audit_log()]


def test_every_page_needs_a_login(app):
    c = client(app)
    for path in ("/", "/conversations", "/conversations/patient-a", "/inbox", "/talk", "/checks", "/audit", "/checks/status"):
        reply = c.get(path)
        assert reply.status_code == 303 and reply.headers["location"].startswith("/login"), path
    assert c.post("/inbox/decide", data={}).status_code == 401
    assert c.get("/health").json() == {"status": "ok"}


def test_login_sets_a_strict_httponly_session_cookie(app):
    c = client(app)
    reply = login(c)
    assert reply.status_code == 303 and reply.headers["location"] == "/conversations"
    cookie = reply.headers["set-cookie"]
    assert "staff_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = c.get("/conversations")
    assert page.status_code == 200 and "alice" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert ("alice", "login", "testclient") in audit(app)


def test_login_needs_its_form_token_and_refuses_foreign_redirects(app):
    c = client(app)
    c.get("/login")
    assert c.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 403
    page = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    reply = c.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": token, "next": "//evil.example/x"})
    assert reply.headers["location"] == "/"


def test_wrong_passwords_are_throttled_even_for_the_right_one_afterwards(app):
    c = client(app)
    for _ in range(3):
        assert login(c, password="wrong password").status_code == 401
    reply = login(c)
    assert reply.status_code == 429 and int(reply.headers["retry-after"]) >= 59
    assert "登录失败次数过多" in reply.text
    assert ("alice", "login_throttled", "testclient") in audit(app)
    assert login(client(app), "vic").status_code == 303  # another account from the same address still may


def test_a_form_without_the_csrf_token_is_refused(app):
    c = client(app)
    login(c)
    form = {"key": "patient-c:x", "text": "今天股票会涨吗", "action": "not_useful"}
    assert c.post("/inbox/decide", data=form).status_code == 403
    assert c.post("/inbox/decide", data={**form, "csrf": "forged"}).status_code == 403
    assert ("alice", "csrf_refused", "/inbox/decide") in audit(app)
    assert c.post("/inbox/decide", data={**form, "csrf": csrf_of(c)}).status_code == 303
    assert c.post("/logout", data={}).status_code == 403


def test_a_viewer_reads_but_cannot_change(app):
    c = client(app)
    login(c, "vic")
    inbox = c.get("/inbox")
    assert inbox.status_code == 200 and "今天股票会涨吗" in inbox.text and "确认 / 改正" not in inbox.text
    assert c.get("/talk").status_code == 403 and c.get("/conversations/patient-a/story").status_code == 403
    token = csrf_of(c, "/conversations")
    reply = c.post("/inbox/decide", data={"key": "patient-c:x", "text": "今天股票会涨吗", "intent": "out_of_scope", "csrf": token})
    assert reply.status_code == 403 and "只读账号" in reply.text
    assert c.post("/checks/start", data={"kind": "stories", "csrf": token}).status_code == 403
    assert ("vic", "refused_viewer", "/inbox/decide") in audit(app)


def test_conversation_list_filters_and_the_page_shows_intents(app):
    c = client(app)
    login(c)
    assert c.get("/conversations").text.count('href="/conversations/patient-') == 3
    emergencies = c.get("/conversations?emergency=1").text
    assert "patient-b" in emergencies and "patient-a" not in emergencies
    assert "patient-c" in c.get("/conversations?q=股票").text and "patient-a" not in c.get("/conversations?q=股票").text
    page = c.get("/conversations/patient-a").text
    assert "describe_symptoms" in page and "描述自己的症状" in page and "0.99" in page and "symptom_term=没劲" in page
    assert "神经内科" in page and "给出结果时的问诊信息" in page and "仅供参考" in page
    assert ("alice", "view_conversation", "patient-a") in audit(app)
    assert c.get("/conversations/nobody").status_code == 404


def test_inbox_correction_is_written_as_nlu_yaml_and_shown_pending(app, tmp_path):
    c = client(app)
    login(c)
    inbox = c.get("/inbox").text
    key = re.search(r'name="key" value="([^"]+)"', inbox).group(1)
    reply = c.post("/inbox/decide", data={"key": key, "text": "今天股票会涨吗", "original": "out_of_scope",
                                          "intent": "out_of_scope", "example": "今天股票会涨吗", "action": "label", "csrf": csrf_of(c)})
    assert reply.status_code == 303
    written = yaml.safe_load((tmp_path / "reviewed" / "out_of_scope.yml").read_text(encoding="utf-8"))
    assert written["nlu"][0]["intent"] == "out_of_scope" and "今天股票会涨吗" in written["nlu"][0]["examples"]
    after = c.get("/inbox").text
    assert 'name="key" value="' + key not in after and "待训练" in after
    assert any(a[1] == "inbox_decision" and a[0] == "alice" for a in audit(app))


def test_a_conversation_becomes_a_story_file(app, tmp_path):
    c = client(app)
    login(c)
    draft = c.get("/conversations/patient-a/story")
    assert draft.status_code == 200 and "describe_symptoms" in draft.text
    text = 'version: "3.1"\nstories:\n  - story: 腿没劲\n    steps:\n      - user: |\n          我腿没劲\n        intent: describe_symptoms\n'
    reply = c.post("/stories", data={"sender": "patient-a", "file_name": "legs", "text": text, "csrf": csrf_of(c)})
    assert reply.status_code == 200 and "已保存" in reply.text
    assert (tmp_path / "stories" / "test_legs.yml").read_text(encoding="utf-8") == text
    again = c.post("/stories", data={"sender": "patient-a", "file_name": "legs2", "text": text, "csrf": csrf_of(c)})
    assert again.status_code == 400 and "已经用过" in again.text


def test_talk_refuses_a_patient_sender(app):
    c = client(app)
    login(c)
    token = csrf_of(c, "/talk")
    reply = c.post("/talk/send", json={"sender": "patient-a", "text": "你好"}, headers={"X-CSRF-Token": token})
    assert reply.status_code == 400
    assert c.post("/talk/send", json={"sender": "console-x", "text": "你好"}).status_code == 403  # no token


def test_overview_and_audit_pages(app):
    c = client(app)
    login(c)
    page = c.get("/").text
    assert "每天的对话数" in page and "有帮助" in page and "今天股票会涨吗" in page
    assert "login" in c.get("/audit").text


def test_only_one_check_at_a_time_and_cancel(app, tmp_path, monkeypatch):
    import sys

    from staff import jobs as jobs_module

    monkeypatch.setattr(jobs_module, "command", lambda kind, config, out, full_nlu=False: [
        sys.executable, "-c", "import time; print('进度: 第一步', flush=True); time.sleep(30)"])
    c = client(app)
    login(c)
    token = csrf_of(c, "/checks")
    assert c.post("/checks/start", data={"kind": "stories", "csrf": token}).status_code == 303
    busy = c.post("/checks/start", data={"kind": "nlu", "csrf": token})
    assert "已有检查在运行" in busy.headers["location"] or "%E5%B7%B2%E6%9C%89" in busy.headers["location"]
    import time

    deadline = time.time() + 10
    while time.time() < deadline and c.get("/checks/status").json().get("progress") != "第一步":
        time.sleep(0.1)
    status = c.get("/checks/status").json()
    assert status["running"] and status["progress"] == "第一步"
    assert c.post("/checks/cancel", data={"csrf": token}).status_code == 303
    deadline = time.time() + 10
    while time.time() < deadline and c.get("/checks/status").json()["running"]:
        time.sleep(0.1)
    assert c.get("/checks/status").json()["latest"]["status"] == "cancelled"
    assert "已取消" in c.get("/checks").text
