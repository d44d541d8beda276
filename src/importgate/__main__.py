from importgate.cli import run

run()
