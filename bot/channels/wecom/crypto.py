"""WeCom callback security: SHA-1 signatures and AES-256-CBC message encryption.

The scheme WeCom documents (加解密方案): ``msg_signature`` = SHA-1 of the sorted
concatenation of the callback Token, timestamp, nonce and ciphertext; the AES key
is the base64-decoded EncodingAESKey (43 characters + "="), the IV its first 16
bytes; the plaintext is 16 random bytes, the message length (4 bytes, network
order), the message and the receiver id (the corp id), PKCS#7-padded to 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(Exception):
    """A message that does not decrypt, or that is not for this corp."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """The ``msg_signature`` of a callback."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


class WeComCrypto:
    """Verify, decrypt and encrypt callback messages for one corp."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self._token = token
        self._key = base64.b64decode(encoding_aes_key + "=")
        self._receive_id = receive_id.encode()

    def verify(self, given: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        """Whether ``given`` is the signature of this ciphertext (constant time)."""
        expected = signature(self._token, timestamp, nonce, encrypted)
        return hmac.compare_digest(expected.encode(), given.encode())

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def decrypt(self, encrypted: str) -> str:
        """The message inside ``encrypted`` (base64); :class:`CryptoError` otherwise."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("ciphertext is not base64") from exc
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext length is not a whole number of AES blocks")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        content = padded[16:-pad]
        if len(content) < 4:
            raise CryptoError("message too short")
        (length,) = struct.unpack(">I", content[:4])
        message, receiver = content[4 : 4 + length], content[4 + length :]
        if len(message) != length or not hmac.compare_digest(receiver, self._receive_id):
            raise CryptoError("message is not for this corp")
        try:
            return message.decode()
        except UnicodeDecodeError as exc:
            raise CryptoError("message is not UTF-8") from exc

    def encrypt(self, message: str, random: bytes | None = None) -> str:
        """``message`` encrypted for this corp, as base64."""
        body = message.encode()
        plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self._receive_id
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()
