#!/usr/bin/env python3
"""Entry point: ``python generate.py --help``. All logic lives in :mod:`packets.cli`."""
import sys

from packets.cli import main

if __name__ == "__main__":
    sys.exit(main())
