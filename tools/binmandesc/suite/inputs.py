"""Writes the input files binman's own test harness writes, into OUTDIR.

    python3 inputs.py U-BOOT-TREE OUTDIR
    python3 inputs.py U-BOOT-TREE - CASE.dtb...

The first form runs TestFunctional.setUpClass from the fetched tree's
tools/binman/ftest.py with its temporary directory pointed at OUTDIR, so the
names and contents are the harness's own (nothing of U-Boot is copied into
this repository). The second writes, for each compiled description, what
the harness writes for a "real DTB" test: CASE.dtb as u-boot.dtb, and as
spl/tpl/vpl DTBs the same tree marked by _GetDtbContentsForSpls, into
in/ next to CASE.dtb.
"""
import os
import sys
import tempfile

tree, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
tools = os.path.join(tree, 'tools')
sys.path[:0] = [tools, os.path.join(tools, 'binman'),
                os.path.join(tree, 'scripts/dtc/pylibfdt')]
# setUpClass finds its test/ directory through argv[0].
sys.argv[0] = os.path.join(tools, 'binman', 'binman')

from binman import ftest  # noqa: E402

real_mkdtemp = tempfile.mkdtemp
first = [True]


def mkdtemp(*args, **kwargs):
    """The harness's input directory is its first mkdtemp."""
    if first[0]:
        first[0] = False
        os.makedirs(outdir, exist_ok=True)
        return outdir
    return real_mkdtemp(*args, **kwargs)


if len(sys.argv) > 3:
    harness = ftest.TestFunctional()
    for case in sys.argv[3:]:
        with open(case, 'rb') as fd:
            data = fd.read()
        dest = os.path.join(os.path.dirname(os.path.abspath(case)), 'in')
        ftest.TestFunctional._indir = dest
        ftest.TestFunctional._MakeInputFile('u-boot.dtb', data)
        for name in ['spl', 'tpl', 'vpl']:
            try:
                spl = harness._GetDtbContentsForSpls(data, name)
            except Exception:  # no /binman node: binman will say so
                continue
            ftest.TestFunctional._MakeInputFile('%s/u-boot-%s.dtb' % (name, name), spl)
    sys.exit(0)
tempfile.mkdtemp = mkdtemp
ftest.TestFunctional.setUpClass()
