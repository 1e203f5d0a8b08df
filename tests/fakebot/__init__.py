"""A fake Telegram Bot API server with a world of users, chats and messages, for tests."""
