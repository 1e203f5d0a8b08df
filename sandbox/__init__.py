"""Netwerkpols without Telegram: the real bot against the local fake Bot API, with a chat page
in the browser, demo people, a demo network and a clock that can jump ahead."""
