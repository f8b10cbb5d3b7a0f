"""WeChat Official Account (公众号) and WeCom (企业微信) channels (docs/wechat.md).

    protocol.py  signatures, the AES envelope, the callback's fields, the passive reply XML
    render.py    a finalized bot turn as WeChat text (numbered buttons, the triage result, 2048-byte parts)
    api.py       the customer-service API clients and their shared access token
    state.py     retry deduplication, numbered buttons, nonces: in memory, or in Redis for several processes
    channel.py   the Rasa input channels

credentials.yml names the channels as channels.wechat.WeChatChannel and channels.wechat.WeComChannel.
"""
from channels.wechat.channel import WeChatChannel, WeComChannel

__all__ = ["WeChatChannel", "WeComChannel"]
