"""Getting things out: alerts (one path for every kind), merged reminders, signed
webhooks and the outbox that sends agents' replies through their IM channel."""
