"""Dialogues in private chat, declared as steps and run by one engine (dialogues.engine)."""
