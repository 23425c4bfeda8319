"""`python -m idrun`."""

from idrun._main import entry

if __name__ == "__main__":
    entry()
