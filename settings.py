"""Settings read from the environment, in one place. Nothing here connects to anything."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

KNOWLEDGE_PATH = Path(os.environ.get("KNOWLEDGE_PATH", ROOT / "knowledge" / "causes.yml"))
# Longest user message accepted by the channels, in characters; longer text is cut, not rejected.
MAX_MESSAGE_CHARS = int(os.environ.get("MAX_MESSAGE_CHARS", "2000"))
# Largest HTTP body the REST channel reads, in bytes.
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))
# Longest a patient waits for one turn before getting the apology (the turn still completes and is stored).
TURN_DEADLINE_SECONDS = float(os.environ.get("TURN_DEADLINE_SECONDS", "30"))

# ---- human handoff (staff/handoff.py, channels/handoff.py, docs/handoff.md)
# The staff database holding the handoff queue (the console's own database; PostgreSQL in production).
STAFF_DB_URL = os.environ.get("STAFF_DB_URL") or f"sqlite:///{ROOT / '.rasa' / 'staff.db'}"
# When a person can be reached: a daily window, ISO weekdays (1 = Monday) and the time zone they are meant in.
HANDOFF_HOURS = os.environ.get("HANDOFF_HOURS") or "08:00-20:00"
HANDOFF_DAYS = os.environ.get("HANDOFF_DAYS") or "1234567"
HANDOFF_TZ = os.environ.get("HANDOFF_TZ") or "Asia/Shanghai"
# Seconds a patient waits for a person before being told nobody is free (and offered to leave a message),
# and seconds after that offer before the bot simply takes over again.
HANDOFF_WAIT_SECONDS = float(os.environ.get("HANDOFF_WAIT_SECONDS") or "300")
HANDOFF_MESSAGE_SECONDS = float(os.environ.get("HANDOFF_MESSAGE_SECONDS") or "600")
# Shared secret of the console -> Rasa internal endpoint (/webhooks/handoff/); empty: the endpoint refuses.
HANDOFF_TOKEN = os.environ.get("HANDOFF_TOKEN") or ""
