"""Socket.IO: the agents' and supervisors' namespaces, the names they use, and the
publisher that pushes stored events to them."""
