#!/usr/bin/env python3
"""Installs the build into a DESTDIR, moves that tree away from the source and build
directories and runs the installed programs from there, with a bare environment.

usage: test-install.py SOURCE_ROOT BUILD_ROOT
"""
import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(ok, what):
    print(('ok    ' if ok else 'FAIL  ') + what)
    if not ok:
        failures.append(what)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def main():
    src, build = (os.path.realpath(p) for p in sys.argv[1:3])
    with tempfile.TemporaryDirectory(prefix='swd-install-') as tmp:
        destdir = os.path.join(tmp, 'destdir')
        r = run(['meson', 'install', '-C', build, '--no-rebuild', '--quiet', '--destdir', destdir])
        check(r.returncode == 0, 'meson install into a DESTDIR: ' + r.stderr.strip())
        if r.returncode != 0:
            return
        # The prefix is whatever the build was configured with: find it by the binary.
        found = glob.glob(os.path.join(destdir, '**', 'bin', 'swdbackup'), recursive=True)
        check(len(found) == 1, 'one installed bin/swdbackup')
        prefix_in_destdir = os.path.dirname(os.path.dirname(found[0]))
        moved = os.path.join(tmp, 'elsewhere')
        shutil.move(prefix_in_destdir, moved)
        root = moved

        def has(rel):
            check(os.path.isfile(os.path.join(root, rel)), 'installed ' + rel)

        for rel in ['bin/swdbackup', 'share/man/man1/swdbackup.1', 'share/man/man5/swdbackup-profile.5',
                    'share/bash-completion/completions/swdbackup', 'share/zsh/site-functions/_swdbackup',
                    'share/fish/vendor_completions.d/swdbackup.fish', 'lib/udev/rules.d/60-swdbackup.rules',
                    'share/doc/swdbackup/README.md', 'share/doc/swdbackup/LICENSE',
                    'share/swdbackup/schema/report.schema.json',
                    'share/swdbackup/schema/manifest.schema.json']:
            has(rel)
        # the guard dfu-util runs under, found by the moved install beside its programs
        check(len(glob.glob(os.path.join(root, '**', 'swdbackup', 'swdbackup-guard'), recursive=True)) == 1,
              'installed swdbackup-guard')
        for p in sorted(glob.glob(os.path.join(src, 'profiles', '*.json'))):
            has('share/swdbackup/profiles/' + os.path.basename(p))
        sim = os.path.join(root, 'bin', 'swdbackup-sim')
        if os.path.exists(os.path.join(build, 'src', 'sim', 'swdbackup-sim')):
            has('bin/swdbackup-sim')
            has('share/man/man1/swdbackup-sim.1')

        # No build-machine path in what was installed, debug information included.
        for exe in [os.path.join(root, 'bin', 'swdbackup'), sim]:
            if os.path.exists(exe):
                text = run(['strings', '-a', exe]).stdout
                for path in {src, build}:
                    check(path not in text, "no '%s' in %s" % (path, os.path.relpath(exe, root)))

        exe = os.path.join(root, 'bin', 'swdbackup')
        env = {'PATH': os.path.join(root, 'bin') + ':/usr/bin:/bin', 'HOME': tmp}
        r = run([exe, 'profiles', 'list'], cwd=tmp, env=env)
        check(r.returncode == 0 and os.path.join(root, 'share/swdbackup/profiles/stm32f407vg.json') in r.stdout,
              'the moved install lists its own profiles')

        # Man pages: one section per command, taken from the commands' --help.
        page = open(os.path.join(root, 'share/man/man1/swdbackup.1')).read()
        listing = run([exe, '--help'], env=env).stdout
        names = []
        on = False
        for line in listing.split('\n'):
            if line == 'commands:':
                on = True
            elif on and line.startswith('  '):
                names.append(line.split()[0])
            elif on:
                break
        check(len(names) >= 5, 'the overview lists the commands')
        for n in names:
            check('.SH "%s COMMAND"' % n.upper() in page, 'swdbackup(1) has a section for ' + n)
        for man in glob.glob(os.path.join(root, 'share/man/man*/*')):
            r = run(['man', '--warnings', '-l', '-Tutf8', man], env=dict(env, MANWIDTH='80'))
            check(r.returncode == 0 and 'NAME' in r.stdout and r.stderr == '',
                  'man renders %s without warnings %s' % (os.path.basename(man), r.stderr.strip()))

        # Bash completion of the installed program.
        bc = '/usr/share/bash-completion/bash_completion'
        comp = os.path.join(root, 'share/bash-completion/completions/swdbackup')
        script = ('source %s; source %s; complete_line() { COMP_LINE="$1"; read -ra COMP_WORDS <<<"$1"; '
                  '[[ $1 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
                  'COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _swdbackup; printf "%%s\\n" "${COMPREPLY[@]}" | sort | tr "\\n" " "; echo; }; '
                  'complete_line "swdbackup re"; complete_line "swdbackup restore --pro"; '
                  'complete_line "swdbackup backup --profile stm32f40"; complete_line "swdbackup backup --interface c"'
                  % (bc, comp))
        r = run(['bash', '-c', script], cwd=tmp, env=env)
        lines = r.stdout.split('\n')
        check(len(lines) >= 4, 'completion ran: ' + r.stderr.strip())
        if len(lines) >= 4:
            check(lines[0].split() == ['rescue', 'reset', 'restore'], 'completes commands: ' + lines[0])
            check(lines[1].split() == ['--probe', '--profile'], 'completes options: ' + lines[1])
            check(lines[2].split() == ['stm32f405rg', 'stm32f407vg'], 'completes profile names: ' + lines[2])
            check(lines[3].split() == ['cmsis-dap'], 'completes interfaces: ' + lines[3])

        # zsh and fish completion of the installed program: the same answers as bash.
        want = [['rescue', 'reset', 'restore'], ['--probe', '--profile'], ['stm32f405rg', 'stm32f407vg'],
                ['cmsis-dap'], ['sim', 'sim:', 'stlink-tcp:']]
        lines = ['swdbackup re', 'swdbackup restore --pro', 'swdbackup backup --profile stm32f40',
                 'swdbackup backup --interface c', 'swdbackup --probe s']
        zsh = os.path.join(root, 'share/zsh/site-functions/_swdbackup')
        script = 'source %s; %s' % (os.path.join(src, 'tests/install/zsh-complete.zsh'),
                                    '; '.join('complete_line "%s"' % l for l in lines))
        r = run(['zsh', '-f', '-c', script], cwd=tmp, env=dict(env, COMP=zsh))
        got = [sorted(x.split()) for x in r.stdout.split('\n')[:len(lines)]]
        # --profile also offers *.json files: the stand-in prints that call
        check(len(got) > 2 and '(files:-g,*.json)' in got[2], 'zsh offers *.json files after --profile')
        got = [[w for w in g if not w.startswith('(files')] for g in got]
        check(r.returncode == 0 and got == want, 'zsh completes as bash does: %s %s' % (got, r.stderr.strip()))
        fish = os.path.join(root, 'share/fish/vendor_completions.d/swdbackup.fish')
        got = []
        for l in lines:
            r = run(['fish', '-N', '-c', 'source %s; complete -C %s' % (fish, shlex.quote(l))], cwd=tmp, env=env)
            got.append(sorted(x.split('\t')[0] for x in r.stdout.split('\n') if x))
        check(got == want, 'fish completes as bash does: %s' % got)

        # A backup with the installed swdbackup and swdbackup-sim, far from the tree.
        if os.path.exists(sim):
            out = os.path.join(tmp, 'bundle')
            r = run([exe, 'backup', '--profile', 'stm32f103c8', '--probe', 'sim', '-o', out], cwd=tmp, env=env)
            check(r.returncode == 0 and os.path.isfile(os.path.join(out, 'manifest.json')),
                  'backup --probe sim from the moved install (exit %d) %s' % (r.returncode, r.stderr.strip()[-300:]))


main()
if failures:
    print('%d failed' % len(failures))
    sys.exit(1)
