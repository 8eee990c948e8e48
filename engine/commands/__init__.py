"""One module per CLI command; each has `add_parser(subparsers)` and `run(args) -> int`.

Commands are imported lazily by `engine.cli`, so `chatlog-vn check` never
pays for importing pygame. What several commands share (loading the STORY
argument or saying why, exit 2; UTF-8 output) is in engine.commands.common.
"""
