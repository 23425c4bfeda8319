"""`python -m idrun`."""

from idrun.cli import main

if __name__ == "__main__":
    main()
