#!/usr/bin/env python3
"""-Dtests=false and -Dsim=false configure without looking for cmocka or unicorn.

usage: test-options.py SOURCE_ROOT
"""
import os
import subprocess
import sys
import tempfile

src = sys.argv[1]
with tempfile.TemporaryDirectory(prefix='swd-options-') as tmp:
    b = os.path.join(tmp, 'b')
    r = subprocess.run(['meson', 'setup', '-Dtests=false', '-Dsim=false', src, b],
                       capture_output=True, text=True)
    log = open(os.path.join(b, 'meson-logs', 'meson-log.txt')).read() if os.path.exists(b) else ''
    bad = [d for d in ('cmocka', 'unicorn') if d in log]
    targets = open(os.path.join(b, 'build.ninja')).read() if r.returncode == 0 else ''
    print('configure: exit %d; looked up: %s' % (r.returncode, ', '.join(bad) or 'neither'))
    ok = r.returncode == 0 and not bad and 'src/swdbackup:' in targets and 'swdbackup-sim:' not in targets
    print('swdbackup target: %s; swdbackup-sim target: %s' % ('src/swdbackup:' in targets, 'swdbackup-sim:' in targets))
    sys.exit(0 if ok else 1)
