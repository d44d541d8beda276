import sys

from importgate.cli import main

sys.exit(main())
