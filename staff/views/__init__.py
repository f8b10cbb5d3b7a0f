"""The console's pages, one module per concern. ROUTES lists (path, endpoint, methods); app.py wraps every
endpoint in auth.guard. A new page (e.g. the handoff queue) is a new module added here."""
from staff.views import account, checks, conversations, handoff, inbox, overview, talk

ROUTES = [
    *account.ROUTES,
    *overview.ROUTES,
    *conversations.ROUTES,
    *inbox.ROUTES,
    *talk.ROUTES,
    *checks.ROUTES,
    *handoff.ROUTES,
]
