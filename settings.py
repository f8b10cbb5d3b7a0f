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

# REST channel. Sender ids get this prefix on the server, so a REST caller can never write into a web chat
# session (random hex ids) or a WeChat conversation ("wechat-..."/"wecom-..."): docs/deploy.md.
REST_SENDER_PREFIX = "rest:"
# When set, every REST request needs "Authorization: Bearer <token>" (production: from the secret store).
REST_AUTH_TOKEN = os.environ.get("REST_AUTH_TOKEN", "")

# WeChat / WeCom channel settings (docs/wechat.md), read when credentials.yml gives none. Empty token: off.
_WECHAT_ENV = {
    "wechat": {
        "token": "WECHAT_TOKEN", "app_id": "WECHAT_APP_ID", "app_secret": "WECHAT_APP_SECRET",
        "encoding_aes_key": "WECHAT_ENCODING_AES_KEY", "api_base_url": "WECHAT_API_BASE_URL",
        "sender_key": "WECHAT_SENDER_KEY", "reply_budget": "WECHAT_REPLY_BUDGET",
    },
    "wecom": {
        "token": "WECOM_TOKEN", "corp_id": "WECOM_CORP_ID", "secret": "WECOM_SECRET", "agent_id": "WECOM_AGENT_ID",
        "encoding_aes_key": "WECOM_ENCODING_AES_KEY", "api_base_url": "WECOM_API_BASE_URL",
        "sender_key": "WECHAT_SENDER_KEY", "reply_budget": "WECHAT_REPLY_BUDGET",
    },
}


def wechat_channel_settings(channel: str) -> dict:
    """The `channel` ("wechat" or "wecom") settings set in the environment, as credentials.yml keys."""
    return {key: os.environ[var] for key, var in _WECHAT_ENV[channel].items() if os.environ.get(var, "").strip()}


# ---- state shared by several Rasa processes (docs/deploy.md) ----
# The lock store's Redis also holds the channels' shared state (WeChat retry deduplication, numbered buttons,
# access token, nonces; rate-limit buckets) when the lock store is a Redis one: LOCK_STORE_TYPE names one, or
# the endpoints file Rasa read configures one (found at start, persistence/shared_state.py, with its own
# connection settings). Otherwise that state lives in the process's memory, which is right for one process.
LOCK_STORE_TYPE = os.environ.get("LOCK_STORE_TYPE", "in_memory")
SHARED_STATE_IN_REDIS = "redis" in LOCK_STORE_TYPE.lower()
REDIS_HOST = os.environ.get("REDIS_HOST", "127.0.0.1") or "127.0.0.1"
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379") or "6379")
REDIS_PASSWORD = os.environ.get("REDIS_PASSWORD", "") or None
REDIS_DB = int(os.environ.get("REDIS_DB", "1") or "1")
REDIS_SSL = os.environ.get("REDIS_SSL", "").lower() in ("1", "true", "yes")
# Prefix of every key the channels write (the lock store uses "triage" + its own names).
REDIS_STATE_PREFIX = os.environ.get("REDIS_STATE_PREFIX", "triage:state:")

# ---- rate limits (token buckets; docs/deploy.md) ----
# Per sender (one conversation): a patient types far slower than one message a second; the burst is above the
# longest scripted conversations of the benchmarks (bench/wechat_bench.py: 40 messages per user, at once).
RATE_LIMIT_SENDER_PER_MINUTE = float(os.environ.get("RATE_LIMIT_SENDER_PER_MINUTE", "60"))
RATE_LIMIT_SENDER_BURST = float(os.environ.get("RATE_LIMIT_SENDER_BURST", "60"))
# Per client address: a flood guard, not a per-person limit. Mobile carriers put many patients behind one
# address (CGNAT), and the load test sends everything from 127.0.0.1, so the default is above what one 2-core
# Rasa process can serve (about 40-60 messages/s). Lower it behind a proxy that passes the client address.
RATE_LIMIT_ADDRESS_PER_MINUTE = float(os.environ.get("RATE_LIMIT_ADDRESS_PER_MINUTE", "6000"))
RATE_LIMIT_ADDRESS_BURST = float(os.environ.get("RATE_LIMIT_ADDRESS_BURST", "2000"))
# Addresses or networks never limited per address (monitoring, a load-test host): "10.0.0.0/8 127.0.0.1".
RATE_LIMIT_EXEMPT = os.environ.get("RATE_LIMIT_EXEMPT", "")
# The WeChat channel's callers are WeChat's own servers, shared by every follower: its per-address limit is a
# separate, higher setting (per-sender limits apply per OpenID as everywhere).
RATE_LIMIT_WECHAT_ADDRESS_PER_MINUTE = float(os.environ.get("RATE_LIMIT_WECHAT_ADDRESS_PER_MINUTE", "12000"))
RATE_LIMIT_WECHAT_ADDRESS_BURST = float(os.environ.get("RATE_LIMIT_WECHAT_ADDRESS_BURST", "4000"))

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
