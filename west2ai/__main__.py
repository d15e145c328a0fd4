import sys

from .mentor.cli import main

sys.exit(main())
