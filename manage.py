#!/usr/bin/env python
"""Django's command-line utility; ``inscope`` is the same with a shorter name."""

from inscope.__main__ import main

if __name__ == "__main__":
    main()
