"""`python -m idrun`."""

from idrun.cli import entry

if __name__ == "__main__":
    entry()
