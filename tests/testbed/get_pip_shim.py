# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for get-pip.py, which ansible-test downloads from a host these machines cannot reach.

ansible-test runs this file to bootstrap pip into each sanity virtual environment. It
installs pip from the interpreter's bundled wheel (ensurepip), then runs pip with the
arguments ansible-test gave. ensurepip sets PIP_CONFIG_FILE=/dev/null in its own process, so
pip is run with the environment saved before, which keeps the machine's pip configuration.
"""

import ensurepip
import os
import subprocess
import sys

saved_env = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
if args:
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=saved_env))
