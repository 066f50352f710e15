"""WeCom's encryption, checked against an independent implementation (wechatpy): what
wechatpy encrypts ReplyWatch decrypts and verifies, and the other way round."""

from __future__ import annotations

import base64

import pytest
from defusedxml import ElementTree
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.channels.wecom.crypto import CryptoError, WeComCrypto, signature

TOKEN = "QDG6eK0sSeTRiWn1"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP = "wwa4c2f8e1b9d07c3e"
MESSAGE = (
    "<xml><ToUserName><![CDATA[wwa4c2f8e1b9d07c3e]]></ToUserName>"
    "<Event>kf_msg_or_event</Event></xml>"
)


def test_what_wechatpy_encrypts_replywatch_verifies_and_decrypts() -> None:
    envelope = ElementTree.fromstring(
        WeChatCrypto(TOKEN, AES_KEY, CORP).encrypt_message(MESSAGE, "1372623149", "1795000000")
    )
    encrypted, signed = envelope.findtext("Encrypt", ""), envelope.findtext("MsgSignature", "")
    ours = WeComCrypto(TOKEN, AES_KEY, CORP)
    assert ours.verify(signed, "1795000000", "1372623149", encrypted)
    assert ours.decrypt(encrypted) == MESSAGE


def test_what_replywatch_encrypts_wechatpy_decrypts() -> None:
    encrypted = WeComCrypto(TOKEN, AES_KEY, CORP).encrypt("回复：你好 👋")
    signed = signature(TOKEN, "1795000000", "nonce-7", encrypted)
    plain = WeChatCrypto(TOKEN, AES_KEY, CORP).decrypt_message(
        {"Encrypt": encrypted}, signed, "1795000000", "nonce-7"
    )
    assert plain == "回复：你好 👋"


def test_a_message_for_another_corp_or_tampered_is_refused() -> None:
    encrypted = WeComCrypto(TOKEN, AES_KEY, "another-corp").encrypt(MESSAGE)
    with pytest.raises(CryptoError, match="not for this corp"):
        WeComCrypto(TOKEN, AES_KEY, CORP).decrypt(encrypted)
    raw = bytearray(base64.b64decode(WeComCrypto(TOKEN, AES_KEY, CORP).encrypt(MESSAGE)))
    raw[-1] ^= 0xFF
    with pytest.raises(CryptoError):
        WeComCrypto(TOKEN, AES_KEY, CORP).decrypt(base64.b64encode(bytes(raw)).decode())
    for junk in ("not base64!", "", base64.b64encode(b"short").decode()):
        with pytest.raises(CryptoError):
            WeComCrypto(TOKEN, AES_KEY, CORP).decrypt(junk)


def test_a_forged_signature_does_not_verify() -> None:
    encrypted = WeComCrypto(TOKEN, AES_KEY, CORP).encrypt(MESSAGE)
    forged = signature("another-token", "1795000000", "n", encrypted)
    assert not WeComCrypto(TOKEN, AES_KEY, CORP).verify(forged, "1795000000", "n", encrypted)
