"""The console's pages, one module per concern. ROUTES lists (path, endpoint, methods); app.py wraps every
endpoint in auth.guard. A new page (e.g. the handoff queue) is a new module added here and a NAV entry."""
from staff.views import account, checks, conversations, inbox, overview, talk

ROUTES = [
    *account.ROUTES,
    *overview.ROUTES,
    *conversations.ROUTES,
    *inbox.ROUTES,
    *talk.ROUTES,
    *checks.ROUTES,
]

# The main menu: (path, title, role needed to see it).
NAV = [
    ("/", "概览", "viewer"),
    ("/conversations", "对话", "viewer"),
    ("/inbox", "待审核", "viewer"),
    ("/talk", "和机器人对话", "editor"),
    ("/checks", "运行检查", "viewer"),
    ("/audit", "审计日志", "viewer"),
]
