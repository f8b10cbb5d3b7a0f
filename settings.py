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
