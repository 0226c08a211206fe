"""The `sdg-tags` command line: one module per sub-command under `cli.commands`."""
