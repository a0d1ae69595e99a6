"""Writes the input files binman's own test harness writes, into OUTDIR.

    python3 inputs.py U-BOOT-TREE OUTDIR [TESTSDIR]
    python3 inputs.py U-BOOT-TREE - CASE.dtb...

The first form runs TestFunctional.setUpClass from the fetched tree's
tools/binman/ftest.py with its temporary directory pointed at OUTDIR, so the
names and contents are the harness's own (nothing of U-Boot is copied into
this repository). With TESTSDIR it then runs the body of every test method
up to its first binman run (which is not made: the run raises instead) and
records, for the first test that builds each description, the input files
that test body writes or changes in OUTDIR (_SetupSplElf's spl/u-boot-spl,
vga2.bin, keys it makes, ...; not the device trees) into TESTSDIR/<description>/in/ and the entry arguments
(-a) it passes into TESTSDIR/<description>/args, one name=value a line
(extra -I directories below OUTDIR, such as fdts/, into .../indirs);
OUTDIR is put back as setUpClass left it after each test. The test's
other flags (-u, --fake-dtb, -M, ...) are not recorded. The second form
writes, for each compiled description, what the harness writes for a
"real DTB" test: CASE.dtb as u-boot.dtb, and as spl/tpl/vpl DTBs the same
tree marked by _GetDtbContentsForSpls, into in/ next to CASE.dtb.
"""
import os
import shutil
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


if sys.argv[2] == '-':
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


class Stop(BaseException):
    """Ends a test body at its first binman run (no except clause of the
    test catches it)."""


# Device trees the second form writes for each description: a test's own
# versions are not recorded.
DTB_NAMES = {'u-boot.dtb', 'spl/u-boot-spl.dtb', 'tpl/u-boot-tpl.dtb',
             'vpl/u-boot-vpl.dtb'}


def snapshot(top):
    """Every file under top (relative name -> contents) and every
    directory."""
    files, dirs = {}, set()
    for dirpath, subdirs, names in os.walk(top):
        for d in subdirs:
            dirs.add(os.path.relpath(os.path.join(dirpath, d), top))
        for f in names:
            p = os.path.join(dirpath, f)
            with open(p, 'rb') as fd:
                files[os.path.relpath(p, top)] = fd.read()
    return files, dirs


def changes(top, saved):
    """What the test wrote under top since the snapshot saved: files new
    or changed (relative name -> contents) and new directories."""
    files, dirs = snapshot(top)
    return ({f: c for f, c in files.items() if saved[0].get(f) != c},
            dirs - saved[1])


def restore(top, saved):
    """Puts top back to the snapshot saved."""
    files, dirs = changes(top, saved)
    for rel in files:
        p = os.path.join(top, rel)
        if rel in saved[0]:
            with open(p, 'wb') as fd:
                fd.write(saved[0][rel])
        else:
            os.remove(p)
    for rel in sorted(dirs, reverse=True):
        p = os.path.join(top, rel)
        if os.path.islink(p):
            os.remove(p)
        else:
            shutil.rmtree(p, ignore_errors=True)


def build_call(argv, testdir):
    """The description (path under testdir, no .dts), entry arguments and
    extra input directories (below OUTDIR) of a binman command line, or
    None if it builds no test description."""
    argv = [str(a) for a in argv]
    if 'build' not in argv or '-d' not in argv:
        return None
    dts = argv[argv.index('-d') + 1]
    if not dts.startswith(testdir + os.sep) or not dts.endswith('.dts'):
        return None
    args, indirs = [], []
    for i, a in enumerate(argv):
        if a == '-a' and i + 1 < len(argv):
            args.append(argv[i + 1])
        elif a.startswith('-a') and len(a) > 2:
            args.append(a[2:])
        elif a == '-I' and i + 1 < len(argv):
            # Extra input directories below OUTDIR (fdts/ ...), relative.
            rel = os.path.relpath(argv[i + 1], outdir)
            if rel != '.' and not rel.startswith('..'):
                indirs.append(rel)
    return os.path.relpath(dts, testdir)[:-4], args, indirs


def record_tests(testsdir):
    testdir = os.path.join(tools, 'binman', 'test')
    cls = ftest.TestFunctional
    calls = []

    def binman_run(self, *argv, **kwargs):
        calls.append(argv)
        raise Stop()

    cls.setup_test_args()  # what binman's test runner sets: no toolpath, ...
    cls._DoBinman = binman_run
    cls._RunBinman = binman_run
    saved = snapshot(outdir)
    done = set()
    # Source order: the first test building a description is its test.
    for name in [n for n in vars(cls) if n.startswith('test')]:
        del calls[:]
        made, new_dirs = {}, set()
        test = cls(name)
        try:
            test.setUp()
            getattr(test, name)()
        except Stop:
            pass
        except Exception:  # the body failed before running binman
            pass
        finally:
            made, new_dirs = changes(outdir, saved)
            try:
                test.tearDown()
            except Exception:
                pass
            restore(outdir, saved)
        call = build_call(calls[0], testdir) if calls else None
        if not call or call[0] in done:
            continue
        desc, args, indirs = call
        done.add(desc)
        files = {f: c for f, c in made.items() if f not in DTB_NAMES}
        if not files and not new_dirs and not args and not indirs:
            continue
        dest = os.path.join(testsdir, desc)
        for d in new_dirs:
            os.makedirs(os.path.join(dest, 'in', d), exist_ok=True)
        for fname, contents in files.items():
            p = os.path.join(dest, 'in', fname)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'wb') as fd:
                fd.write(contents)
        os.makedirs(dest, exist_ok=True)
        with open(os.path.join(dest, 'test'), 'w') as fd:
            fd.write(name + '\n')
        if args:
            with open(os.path.join(dest, 'args'), 'w') as fd:
                fd.write(''.join(a + '\n' for a in args))
        if indirs:
            with open(os.path.join(dest, 'indirs'), 'w') as fd:
                fd.write(''.join(a + '\n' for a in indirs))


tempfile.mkdtemp = mkdtemp
ftest.TestFunctional.setUpClass()
if len(sys.argv) > 3:
    record_tests(os.path.abspath(sys.argv[3]))
