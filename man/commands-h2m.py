#!/usr/bin/env python3
"""Writes a help2man include file with one man page section per swdbackup command, taken
from the built program's own --help texts, so the man page and the help are one source.

usage: commands-h2m.py SWDBACKUP OUTPUT
"""
import re
import subprocess
import sys


def run(exe, *args):
    return subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout


def roff(text):
    """Escapes text for roff: backslashes, and a leading dot or quote."""
    text = text.replace('\\', '\\e').replace('-', '\\-')
    return re.sub(r"^([.'])", r"\\&\1", text)


OPTION = re.compile(r'^  (-\S.*?)(?:\s{2,}(\S.*))?$')
CONTINUED = re.compile(r'^\s{10,}(\S.*)$')


def section(name, usage):
    lines = usage.rstrip('\n').split('\n')
    out = ['[%s COMMAND]' % name.upper()]
    synopsis = lines.pop(0)
    if synopsis.startswith('usage: '):
        synopsis = synopsis[len('usage: '):]
    out += ['.nf', roff(synopsis), '.fi', '.PP']
    in_options = False
    for line in lines:
        m = OPTION.match(line)
        c = CONTINUED.match(line)
        if m:
            if not in_options:
                out.append('.PD 0')
                in_options = True
            out += ['.TP', '.B %s' % roff(m.group(1).strip()), roff(m.group(2) or '')]
        elif in_options and c:
            out.append(roff(c.group(1)))
        elif line.strip() == '':
            if in_options:
                out.append('.PD')
                in_options = False
            out.append('.PP')
        else:
            out.append(roff(line))
    if in_options:
        out.append('.PD')
    return '\n'.join(out) + '\n'


def main():
    exe, output = sys.argv[1], sys.argv[2]
    overview = run(exe, '--help')
    names = []
    listing = False
    for line in overview.split('\n'):
        if line == 'commands:':
            listing = True
        elif listing and line.startswith('  '):
            names.append(line.split()[0])
        elif listing:
            break
    if not names:
        sys.exit("commands-h2m: no command list in '%s --help'" % exe)
    with open(output, 'w') as f:
        for name in names:
            f.write(section(name, run(exe, 'help', name)))


if __name__ == '__main__':
    main()
