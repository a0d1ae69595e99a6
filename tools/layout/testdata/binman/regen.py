#!/usr/bin/env python3
"""Regenerates the binman golden cases in this directory.

For each case below: write its blobs and a DTS with a /binman node, compile
it with dtc, run U-Boot's binman on it (BINMAN=path/to/tools/binman/binman,
with python3-libfdt installed) and record binman's image, map or error
message. The same DTB is turned into our manifest (typed fields plus the
raw properties, for an identical fdtmap), so layout's tests can check we
produce byte-identical results without binman on the test machine.

Usage: BINMAN=... python3 regen.py   (run from any directory)
"""
import json, os, shutil, subprocess, sys, tempfile
import libfdt

HERE = os.path.dirname(os.path.abspath(__file__))
BINMAN = os.environ.get('BINMAN')

# name: (blobs {file: bytes}, binman node body, extra binman flags)
CASES = {
 'basic': ({'a.bin': b'AAAA', 'b.bin': b'BBBBBB'}, '''
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; };
 ''', []),
 'align': ({'a.bin': b'AAA', 'b.bin': b'BBBBB'}, '''
    pad-byte = <0xee>;
    a { type = "blob"; filename = "a.bin"; align = <16>; align-size = <8>; };
    b { type = "blob"; filename = "b.bin"; align = <32>; align-end = <64>; };
 ''', []),
 'pad': ({'a.bin': b'AAA'}, '''
    pad-byte = <0x5a>;
    a { type = "blob"; filename = "a.bin"; pad-before = <3>; pad-after = <5>; };
    t { type = "text"; text = "xyz"; size = <8>; };
 ''', []),
 'min-size': ({'a.bin': b'AAA'}, '''
    a { type = "blob"; filename = "a.bin"; min-size = <10>; };
    f { type = "fill"; size = <4>; fill-byte = [cc]; };
 ''', []),
 'offsets-sort': ({'a.bin': b'AAAA', 'b.bin': b'BB'}, '''
    sort-by-offset;
    size = <0x40>;
    pad-byte = <0x11>;
    b { type = "blob"; filename = "b.bin"; offset = <0x20>; };
    a { type = "blob"; filename = "a.bin"; offset = <0x4>; };
 ''', []),
 'section': ({'a.bin': b'AAAA', 'b.bin': b'BBBBBBB'}, '''
    pad-byte = <0x22>;
    a { type = "blob"; filename = "a.bin"; };
    sec {
        type = "section";
        pad-byte = <0x33>;
        size = <0x20>;
        offset = <0x8>;
        name-prefix = "ro-";
        b { type = "blob"; filename = "b.bin"; align = <4>; };
        c { type = "text"; text = "cc"; offset = <0x10>; };
    };
    d { type = "text"; text = "dd"; pad-before = <2>; };
 ''', []),
 'align-default': ({'a.bin': b'A', 'b.bin': b'B'}, '''
    align-default = <8>;
    a { type = "blob"; filename = "a.bin"; };
    sec { type = "section"; b { type = "blob"; filename = "b.bin"; }; c { type = "text"; text = "c"; }; };
 ''', []),
 'extend': ({'a.bin': b'AAAA', 'b.bin': b'BB'}, '''
    size = <0x30>;
    pad-byte = <0xff>;
    a { type = "blob"; filename = "a.bin"; extend-size; };
    f { type = "fill"; size = <2>; fill-byte = [77]; extend-size; offset = <0x10>; };
    b { type = "blob"; filename = "b.bin"; offset = <0x20>; extend-size; };
 ''', []),
 'overlap': ({'a.bin': b'AAAAAAAAAAAA', 'b.bin': b'BB'}, '''
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; offset = <4>; size = <2>; overlap; };
 ''', []),
 'skip-at-start': ({'a.bin': b'AAAA', 'b.bin': b'BB'}, '''
    skip-at-start = <0x1000>;
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; offset = <0x1008>; };
 ''', []),
 'end-at-4gb': ({'a.bin': b'AAAA', 'b.bin': b'BB'}, '''
    end-at-4gb;
    size = <0x20>;
    sort-by-offset;
    b { type = "blob"; filename = "b.bin"; offset = <0xfffffff0>; };
    a { type = "blob"; filename = "a.bin"; offset = <0xffffffe0>; };
 ''', []),
 'fdtmap-header': ({'a.bin': b'AAAA'}, '''
    size = <0x400>;
    pad-byte = <0xff>;
    image-header { location = "start"; };
    a { type = "blob"; filename = "a.bin"; hash { algo = "sha256"; }; };
    t { type = "text"; text = "hello"; align = <16>; };
    fdtmap { };
 ''', []),
 'fdtmap-section': ({'a.bin': b'AAAA', 'b.bin': b'BBBBBBBB'}, '''
    a { type = "blob"; filename = "a.bin"; };
    sec { type = "section"; align = <16>; b { type = "blob"; filename = "b.bin"; }; };
    fdtmap { };
    image-header { location = "end"; };
 ''', []),
 'fdtmap-in-section': ({'a.bin': b'AAAA'}, '''
    a { type = "blob"; filename = "a.bin"; };
    sec { type = "section"; align = <16>; b { type = "blob"; filename = "a.bin"; }; fdtmap { }; };
 ''', []),
 'missing-allowed': ({'a.bin': b'AAAA'}, '''
    a { type = "blob"; filename = "a.bin"; };
    x { type = "blob-ext"; filename = "missing.bin"; size = <8>; };
    t { type = "text"; text = "t"; };
 ''', ['-M']),
 'optional': ({'a.bin': b'AAAA'}, '''
    a { type = "blob"; filename = "a.bin"; };
    x { type = "blob-ext"; filename = "missing.bin"; optional; };
    t { type = "text"; text = "t"; };
 ''', []),
 'section-props': ({'a.bin': b'AAAA', 'b.bin': b'BBB'}, '''
    pad-byte = <0x44>;
    s1 { type = "section"; min-size = <12>; pad-before = <2>; pad-after = <3>; pad-byte = <0x55>;
         a { type = "blob"; filename = "a.bin"; }; };
    s2 { type = "section"; align-size = <16>; extend-size;
         b { type = "blob"; filename = "b.bin"; pad-before = <1>; }; };
    t { type = "text"; text = "end"; offset = <0x40>; };
 ''', []),
 'hashes': ({'a.bin': b'AAAA', 'b.bin': b'BBB'}, '''
    hash { algo = "sha256"; };
    s { type = "section"; hash { algo = "sha256"; }; a { type = "blob"; filename = "a.bin"; }; };
    b { type = "blob"; filename = "b.bin"; size = <8>; hash { algo = "sha256"; }; };
    fdtmap { };
 ''', []),
 # binman runs the lz4 tool (--no-frame-crc -B4 -5); lz4hc.go makes the
 # same bytes.
 'compress-lz4': ({'a.bin': bytes(range(64)) * 40, 'b.bin': b'B' * 4000 + bytes(range(200)) * 300}, '''
    a { type = "blob"; filename = "a.bin"; compress = "lz4"; };
    sec { type = "section"; compress = "lz4"; b { type = "blob"; filename = "b.bin"; }; t { type = "text"; text = "tail"; }; };
    fdtmap { };
 ''', []),
 'nested-extend': ({'a.bin': b'AAAA'}, '''
    size = <0x40>;
    sec { type = "section"; size = <0x20>; pad-byte = <0x66>;
          a { type = "blob"; filename = "a.bin"; };
          f { type = "fill"; size = <4>; fill-byte = [99]; extend-size; }; };
    t { type = "text"; text = "zz"; offset = <0x30>; };
 ''', []),
 'header-4gb': ({'a.bin': b'AAAA'}, '''
    end-at-4gb;
    size = <0x800>;
    sort-by-offset;
    a { type = "blob"; filename = "a.bin"; offset = <0xfffff800>; };
    fdtmap { offset = <0xfffff900>; };
    image-header { location = "end"; };
 ''', []),
 # errors
 'err-overlap': ({'a.bin': b'A' * 10, 'b.bin': b'BB'}, '''
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; offset = <4>; };
 ''', []),
 'err-contents-size': ({'a.bin': b'AAAA'}, '''
    a { type = "blob"; filename = "a.bin"; size = <3>; };
 ''', []),
 'err-section-size': ({'a.bin': b'AAAA'}, '''
    size = <3>;
    a { type = "blob"; filename = "a.bin"; };
 ''', []),
 'err-align': ({'a.bin': b'A'}, '''
    a { type = "blob"; filename = "a.bin"; align = <23>; };
 ''', []),
 'err-align-size': ({'a.bin': b'A'}, '''
    a { type = "blob"; filename = "a.bin"; align-size = <3>; };
 ''', []),
 'err-offset-align': ({'a.bin': b'A'}, '''
    a { type = "blob"; filename = "a.bin"; align = <4>; offset = <2>; };
 ''', []),
 'err-size-align': ({'a.bin': b'A'}, '''
    a { type = "blob"; filename = "a.bin"; align-size = <4>; size = <6>; };
 ''', []),
 'err-outside': ({'a.bin': b'AAAA'}, '''
    skip-at-start = <0x10>;
    a { type = "blob"; filename = "a.bin"; offset = <0x4>; };
 ''', []),
 'err-4gb-size': ({'a.bin': b'A'}, '''
    end-at-4gb;
    a { type = "blob"; filename = "a.bin"; };
 ''', []),
 'err-4gb-skip': ({'a.bin': b'A'}, '''
    end-at-4gb;
    size = <0x10>;
    skip-at-start = <0x10>;
    a { type = "blob"; filename = "a.bin"; };
 ''', []),
 'err-overlap-none': ({'a.bin': b'AA', 'b.bin': b'BB'}, '''
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; offset = <4>; size = <2>; overlap; };
 ''', []),
 'err-missing': ({'a.bin': b'AA'}, '''
    a { type = "blob"; filename = "a.bin"; };
    x { type = "blob-ext"; filename = "missing.bin"; };
 ''', []),
 'err-header-order': ({'a.bin': b'AA'}, '''
    a { type = "blob"; filename = "a.bin"; };
    image-header { location = "start"; };
    fdtmap { };
 ''', []),
}

# Patterns for the second recorded listing (see golden_test.go).
LS_PATTERNS = ['sec', '*a?']

# Replace cases: name: (blobs, binman node body, entry path, new data).
# Built like CASES, then `binman replace` puts the new data in.
REPLACE_CASES = {
 'replace-repack': ({'a.bin': b'AAAA', 'b.bin': b'BBBB'}, '''
    allow-repack;
    pad-byte = <0xff>;
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; align = <16>; };
    t { type = "text"; text = "tt"; };
    fdtmap { };
 ''', 'b', b'NEW' + b'B' * 18),
 'replace-smaller': ({'a.bin': b'AAAA', 'b.bin': b'BBBBBBBB'}, '''
    pad-byte = <0xff>;
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; hash { algo = "sha256"; }; };
    fdtmap { };
    image-header { location = "end"; };
 ''', 'b', b'xy'),
 'replace-too-big': ({'a.bin': b'AAAA', 'b.bin': b'BB'}, '''
    a { type = "blob"; filename = "a.bin"; };
    b { type = "blob"; filename = "b.bin"; };
    fdtmap { };
 ''', 'b', b'BBBB'),
 'replace-keeps-compressed': ({'a.bin': b'A' * 300, 'b.bin': b'BB'}, '''
    allow-repack;
    b { type = "blob"; filename = "b.bin"; };
    a { type = "blob"; filename = "a.bin"; compress = "lz4"; };
    fdtmap { };
 ''', 'b', b'bigger b'),
 'replace-section-repack': ({'a.bin': b'AAAA', 'b.bin': b'BB', 'c.bin': b'CC'}, '''
    allow-repack;
    size = <0x400>;
    a { type = "blob"; filename = "a.bin"; };
    sec {
        type = "section";
        align = <8>;
        b { type = "blob"; filename = "b.bin"; };
        c { type = "blob"; filename = "c.bin"; offset = <8>; };
    };
    fdtmap { };
 ''', 'sec/b', b'bbbbbbbbbbbb'),
}

U32 = {'offset', 'size', 'min-size', 'align', 'align-size', 'align-end',
       'pad-before', 'pad-after', 'pad-byte', 'skip-at-start',
       'align-default', 'assume-size'}
FLAGS = {'extend-size', 'overlap', 'optional', 'sort-by-offset',
         'end-at-4gb', 'allow-repack', 'read-only'}
STRS = {'compress', 'missing-msg', 'text', 'location', 'name-prefix'}


def to_manifest(fdt, off, blobdir):
    node = {'name': fdt.get_name(off)}
    props = []
    p = fdt.first_property_offset(off, libfdt.QUIET_NOTFOUND)
    while p >= 0:
        prop = fdt.get_property_by_offset(p)
        name, val = prop.name, bytes(prop)
        props.append({'name': name, 'value': val.hex()})
        key = name.replace('-', '_')
        if name in U32:
            node[key] = int.from_bytes(val, 'big')
        elif name in FLAGS:
            node[key] = True
        elif name in STRS:
            node[key] = val.rstrip(b'\0').decode()
        elif name == 'fill-byte':
            node['fill_byte'] = val[0]
        elif name == 'type':
            node['type'] = val.rstrip(b'\0').decode()
        elif name == 'filename':
            node['path'] = '$DIR/' + val.rstrip(b'\0').decode()
        p = fdt.next_property_offset(p, libfdt.QUIET_NOTFOUND)
    node['props'] = props
    entries = []
    sub = fdt.first_subnode(off, libfdt.QUIET_NOTFOUND)
    while sub >= 0:
        sname = fdt.get_name(sub)
        if sname.startswith('hash'):
            node['hash'] = fdt.getprop(sub, 'algo').as_str()
        else:
            entries.append(to_manifest(fdt, sub, blobdir))
        sub = fdt.next_subnode(sub, libfdt.QUIET_NOTFOUND)
    if entries:
        node['entries'] = entries
    if node.get('type') == 'blob-ext':
        node['type'] = 'blob'
        node['external'] = True
    return node


def main():
    if not BINMAN:
        sys.exit('set BINMAN to the binman script')
    for name, (blobs, body, flags) in sorted(CASES.items()):
        work = tempfile.mkdtemp()
        for fname, data in blobs.items():
            with open(os.path.join(work, fname), 'wb') as f:
                f.write(data)
        dts = '/dts-v1/;\n/ {\n\tbinman {%s\t};\n};\n' % body
        dts_path = os.path.join(work, 'case.dts')
        with open(dts_path, 'w') as f:
            f.write(dts)
        dtb_path = os.path.join(work, 'case.dtb')
        subprocess.run(['dtc', '-O', 'dtb', '-o', dtb_path, dts_path], check=True)
        with open(dtb_path, 'rb') as f:
            fdt = libfdt.Fdt(f.read())
        image = to_manifest(fdt, fdt.path_offset('/binman'), work)
        image['name'] = 'image'
        image.pop('type', None)
        manifest = {'version': 1, 'update_fdt': True, 'image': image}
        if '-M' in flags:
            manifest['allow_missing'] = True
        out = os.path.join(work, 'out')
        res = subprocess.run([sys.executable, BINMAN, 'build', '-u', '-m', '-d', dtb_path,
                              '-I', work, '-O', out] + flags,
                             capture_output=True, text=True)
        case_dir = os.path.join(HERE, name)
        shutil.rmtree(case_dir, ignore_errors=True)
        os.makedirs(case_dir)
        shutil.copy(dts_path, os.path.join(case_dir, 'case.dts'))
        case = {'blobs': {k: v.hex() for k, v in blobs.items()}, 'manifest': manifest}
        if os.path.exists(os.path.join(out, 'image.bin')):
            shutil.copy(os.path.join(out, 'image.bin'), case_dir)
            shutil.copy(os.path.join(out, 'image.map'), case_dir)
            if res.returncode != 0:
                case['warning'] = res.stderr.strip()
            if 'fdtmap' in body:
                ls = subprocess.run([sys.executable, BINMAN, 'ls', '-i',
                                     os.path.join(out, 'image.bin')],
                                    capture_output=True, text=True, check=True)
                with open(os.path.join(case_dir, 'ls.txt'), 'w') as f:
                    f.write(ls.stdout)
                ls = subprocess.run([sys.executable, BINMAN, 'ls', '-i',
                                     os.path.join(out, 'image.bin')] + LS_PATTERNS,
                                    capture_output=True, text=True, check=True)
                with open(os.path.join(case_dir, 'ls-pattern.txt'), 'w') as f:
                    f.write(ls.stdout)
                # Every entry as `binman extract` writes it (decompressed).
                subprocess.run([sys.executable, BINMAN, 'extract', '-i',
                                os.path.join(out, 'image.bin'), '-O',
                                os.path.join(case_dir, 'extract')],
                               capture_output=True, check=True)
        else:
            lines = [l for l in res.stderr.splitlines() if l.startswith('binman: ')]
            case['error'] = lines[-1][len('binman: '):] if lines else res.stderr.strip()
            case['error'] = case['error'].replace(work, '$DIR').replace(os.getcwd(), '$CWD')
        with open(os.path.join(case_dir, 'case.json'), 'w') as f:
            json.dump(case, f, indent=1, sort_keys=True)
            f.write('\n')
        print(name, 'error: ' + case['error'] if 'error' in case else 'ok')
        shutil.rmtree(work)
    replace_cases()


def replace_cases():
    for name, (blobs, body, path, new) in sorted(REPLACE_CASES.items()):
        work = tempfile.mkdtemp()
        for fname, data in blobs.items():
            with open(os.path.join(work, fname), 'wb') as f:
                f.write(data)
        dts_path = os.path.join(work, 'case.dts')
        with open(dts_path, 'w') as f:
            f.write('/dts-v1/;\n/ {\n\tbinman {%s\t};\n};\n' % body)
        dtb_path = os.path.join(work, 'case.dtb')
        subprocess.run(['dtc', '-O', 'dtb', '-o', dtb_path, dts_path], check=True)
        with open(dtb_path, 'rb') as f:
            fdt = libfdt.Fdt(f.read())
        image = to_manifest(fdt, fdt.path_offset('/binman'), work)
        image['name'] = 'image'
        image.pop('type', None)
        out = os.path.join(work, 'out')
        subprocess.run([sys.executable, BINMAN, 'build', '-u', '-m', '-d', dtb_path,
                        '-I', work, '-O', out], check=True, capture_output=True)
        case_dir = os.path.join(HERE, name)
        shutil.rmtree(case_dir, ignore_errors=True)
        os.makedirs(case_dir)
        shutil.copy(dts_path, os.path.join(case_dir, 'case.dts'))
        shutil.copy(os.path.join(out, 'image.bin'), case_dir)
        shutil.copy(os.path.join(out, 'image.map'), case_dir)
        new_path = os.path.join(work, 'new.bin')
        with open(new_path, 'wb') as f:
            f.write(new)
        img = os.path.join(out, 'image.bin')
        res = subprocess.run([sys.executable, BINMAN, 'replace', '-i', img, '-f', new_path, path],
                             capture_output=True, text=True)
        case = {'blobs': {k: v.hex() for k, v in blobs.items()},
                'manifest': {'version': 1, 'update_fdt': True, 'image': image},
                'replace': {'path': path, 'data': new.hex()}}
        if res.returncode != 0:
            lines = [l for l in res.stderr.splitlines() if l.startswith('binman: ')]
            case['replace_error'] = lines[-1][len('binman: '):] if lines else res.stderr.strip()
        else:
            shutil.copy(img, os.path.join(case_dir, 'replaced.bin'))
        with open(os.path.join(case_dir, 'case.json'), 'w') as f:
            json.dump(case, f, indent=1, sort_keys=True)
            f.write('\n')
        print(name, 'error: ' + case['replace_error'] if 'replace_error' in case else 'ok')
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
