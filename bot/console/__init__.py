"""The web console: sign-in, server-rendered page shells and plain ES modules (no build
step); the pages talk to the same HTTP API and Socket.IO namespaces as any client."""
