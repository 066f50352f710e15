"""``replywatch demo``: a simulated shift on the real service."""
