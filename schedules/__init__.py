"""The durable queue of outgoing work and the dispatcher that sends what is due."""
