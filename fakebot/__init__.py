"""A fake Telegram Bot API server with a world of users, chats and messages: for the tests,
the benchmarks and the sandbox (one implementation for all three)."""
