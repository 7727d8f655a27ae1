"""The `kiln` command line: click commands, wiring only."""
