"""The sub-commands, in the order `licenses help` lists them."""
COMMANDS = [
    ("list", "list the licences this tool knows"),
    ("show", "print a licence, filled in: show NAME [--year Y] [--holder H]"),
    ("detect", "name the licence of FILE (or stdin)"),
    ("where", "say where this program runs from (--rerun: run itself again)"),
]
