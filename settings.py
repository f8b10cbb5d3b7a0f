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
