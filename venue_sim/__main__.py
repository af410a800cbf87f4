"""`python -m venue_sim [serve] --port N ...`: the `serve` sub-command is implied."""

import sys

from venue_sim.cli import app


def main() -> None:
    args = sys.argv[1:]
    if not args or args[0] not in ("serve", "--help", "-h"):
        args = ["serve", *args]
    app(args=args, prog_name="python -m venue_sim")


if __name__ == "__main__":
    main()
