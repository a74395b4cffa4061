import sys

from soarpacks.tools.bench.cli import main

sys.exit(main())
