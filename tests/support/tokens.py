"""The test tokens (one per role, two agents, two QA reviewers) and their header."""

from __future__ import annotations

INTEGRATION = "test-integration-token"
ADMIN = "test-admin-token"
SUPERVISOR = "test-supervisor-token"
QA = "test-qa-token"
#: A second QA reviewer (appeals are decided by someone other than the first).
QA2 = "test-qa-second-token"
ALICE = "test-agent-alice"
BOB = "test-agent-bob"
TOKENS = [
    {"token": INTEGRATION, "role": "integration"},
    {"token": ADMIN, "role": "admin"},
    {"token": SUPERVISOR, "role": "supervisor"},
    {"token": QA, "role": "qa"},
    {"token": QA2, "role": "qa", "name": "qa-second"},
    {"token": ALICE, "role": "agent", "agent_id": "alice"},
    {"token": BOB, "role": "agent", "agent_id": "bob"},
]


def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}
