"""Helpers the tests share: the event vocabulary, the running gateway and its
listeners, gateway processes, databases and settings, receivers and read-backs."""
