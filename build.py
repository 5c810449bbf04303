#!/usr/bin/env python3
"""Build the bilingual MNIST report into site/. Run `python build.py --help` for the options."""

import sys

from mnistreport.cli import main

if __name__ == "__main__":
    sys.exit(main())
