"""One module per sub-command: `register(subparsers)` adds the parser and sets `handler=run`."""
