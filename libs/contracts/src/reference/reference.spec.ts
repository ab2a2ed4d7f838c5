import { BARRIERS, DISEASE_FIELDS, NEED_SCOPES, ROUTES } from '../schema-fragments';
import {
  BARRIER_TAXONOMY,
  DISEASE_FIELD_LABELS,
  NEED_SCOPE_LABELS,
  NUTS_2021_SOURCE,
  ORGANISATION_TYPES,
  PROCUREMENT_ROUTE_DESCRIPTIONS,
  REFERENCE_REGIONS,
  TRL_SCALE,
  FREE_TEXT_LIMIT,
  barrierCategory,
  characterCount,
  charactersWithoutSpaces,
  isBarrier,
  isDiseaseField,
  isNeedScope,
  isNutsCode,
  isOrganisationType,
  isProcurementRoute,
  isTrlLevel,
  nutsCodes,
  nutsName,
  nutsRegion,
  trlDescription,
} from './index';

describe('NUTS regions', () => {
  const eu = nutsCodes().filter((code) => !nutsRegion(code)?.ukNuts2016);

  it('holds the whole NUTS 2021 classification: 27 countries and every level below', () => {
    const perLevel = (level: number, extraRegio: boolean) =>
      eu.filter((c) => nutsRegion(c)?.level === level && nutsRegion(c)?.extraRegio === extraRegio)
        .length;
    // The regulation's figures: 92 NUTS 1, 242 NUTS 2 and 1166 NUTS 3 regions, plus one
    // Extra-Regio code per country and level.
    expect([0, 1, 2, 3].map((level) => perLevel(level, false))).toEqual([27, 92, 242, 1166]);
    expect([1, 2, 3].map((level) => perLevel(level, true))).toEqual([27, 27, 27]);
    expect(NUTS_2021_SOURCE.counts).toEqual({
      level0: 27,
      level1: 119,
      level2: 269,
      level3: 1193,
    });
  });

  it('accepts every region code that API.md and the reports name', () => {
    for (const { code } of REFERENCE_REGIONS)
      expect([code, isNutsCode(code)]).toEqual([code, true]);
    expect(nutsName('ES51')).toBe('Cataluña');
    expect(nutsName('BE2')).toBe('Vlaams Gewest');
    expect(nutsName('SE232')).toBe('Västra Götalands län');
    expect(nutsName('NL')).toBe('Netherlands');
    expect(nutsRegion('BG411')).toMatchObject({ level: 3, country: 'BG', extraRegio: false });
  });

  it('refuses codes that are not in the list', () => {
    for (const code of ['ES99', 'XX', 'es51', '', ' ES51', 'ES519', 'UKM1', 'US', 'ES0']) {
      expect([code, isNutsCode(code)]).toEqual([code, false]);
    }
    expect(isNutsCode(51)).toBe(false);
    expect(isNutsCode(null)).toBe(false);
    expect(nutsName('ES99')).toBeUndefined();
  });

  it('is the 2021 edition, not 2024: codes born in 2024 are refused, codes retired in 2024 kept', () => {
    expect(isNutsCode('DEG0S')).toBe(false); // Suhl after the 2024 boundary shift
    expect(isNutsCode('NL361')).toBe(false); // 2024 code of Agglomeratie 's-Gravenhage
    expect(isNutsCode('NL332')).toBe(true);
    expect(isNutsCode('DEG04')).toBe(true);
    expect(nutsName('BE31')).toBe('Prov. Brabant Wallon'); // renamed "wallon" in 2024
  });

  it('keeps the United Kingdom apart, with its NUTS 2016 codes', () => {
    expect(nutsRegion('UKM')).toMatchObject({ name: 'Scotland', level: 1, ukNuts2016: true });
    expect(isNutsCode('UKN16')).toBe(true);
    expect(nutsRegion('ES51')?.ukNuts2016).toBe(false);
  });

  it('nests every EU region inside its parent, one character shorter', () => {
    for (const code of eu) {
      const level = nutsRegion(code)?.level ?? -1;
      expect(code).toHaveLength(2 + level);
      if (level > 0) expect([code, isNutsCode(code.slice(0, -1))]).toEqual([code, true]);
    }
  });

  it('marks Extra-Regio codes', () => {
    expect(nutsRegion('ESZZZ')).toMatchObject({ extraRegio: true, level: 3 });
    expect(nutsRegion('FRZ')?.extraRegio).toBe(true);
    expect(nutsRegion('ES')?.extraRegio).toBe(false);
  });
});

describe('barrier taxonomy', () => {
  it('has 17 barriers in 6 categories, exactly the published barrier codes', () => {
    expect(BARRIER_TAXONOMY).toHaveLength(6);
    const codes = BARRIER_TAXONOMY.flatMap((c) => c.barriers.map((b) => b.code));
    expect(codes).toHaveLength(17);
    expect(new Set(codes)).toEqual(new Set(BARRIERS));
  });

  it('names the category of a barrier', () => {
    expect(barrierCategory('data_consent')).toBe('health_data');
    expect(barrierCategory('hospital_exemption')).toBe('regulatory');
    expect(barrierCategory('trials_and_testbeds_access')).toBe('innovation_ecosystem');
    expect(barrierCategory('bureaucracy')).toBeUndefined();
    expect(isBarrier('coordination')).toBe(true);
    expect(isBarrier('bureaucracy')).toBe(false);
  });
});

describe('disease fields, scopes, organisation types, routes', () => {
  it('labels every disease field and scope', () => {
    expect(Object.keys(DISEASE_FIELD_LABELS).sort()).toEqual([...DISEASE_FIELDS].sort());
    expect(Object.keys(NEED_SCOPE_LABELS).sort()).toEqual([...NEED_SCOPES].sort());
    expect(isDiseaseField('rare')).toBe(true);
    expect(isDiseaseField('Rare')).toBe(false);
    expect(isNeedScope('early_detection')).toBe(true);
    expect(isNeedScope('surgery')).toBe(false);
  });

  it('knows the ten organisation types', () => {
    expect(ORGANISATION_TYPES).toHaveLength(10);
    expect(isOrganisationType('living_lab')).toBe(true);
    expect(isOrganisationType('ngo')).toBe(false);
  });

  it('describes every procurement route', () => {
    expect(Object.keys(PROCUREMENT_ROUTE_DESCRIPTIONS).sort()).toEqual([...ROUTES].sort());
    expect(isProcurementRoute('INNOVATION_PARTNERSHIP')).toBe(true);
    expect(isProcurementRoute('pcp')).toBe(false);
  });
});

describe('TRL scale', () => {
  it('runs from 1 to 9 with the Annex G wording', () => {
    expect(TRL_SCALE.map((t) => t.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(trlDescription(8)).toBe('System complete and qualified');
    expect(trlDescription(10)).toBeUndefined();
  });

  it('accepts only whole levels 1-9', () => {
    expect([1, 9].map(isTrlLevel)).toEqual([true, true]);
    expect([0, 10, 7.5, '7', null].map(isTrlLevel)).toEqual([false, false, false, false, false]);
  });
});

describe('free text', () => {
  it('counts characters without any whitespace, by code point', () => {
    expect(charactersWithoutSpaces('a b\tc\nd\u00a0e')).toBe(5);
    expect(charactersWithoutSpaces('   ')).toBe(0);
    expect(charactersWithoutSpaces('Κρήτη 🧬')).toBe(6);
    expect(FREE_TEXT_LIMIT).toBe(2000);
  });

  it('counts as iterating the string by code point and testing each with \\s would', () => {
    const byIteration = (text: string, withoutSpaces: boolean) =>
      [...text].filter((c) => !withoutSpaces || !/\s/u.test(c)).length;
    const spaces = [...Array(0x3001).keys(), 0xfeff]
      .map((code) => String.fromCharCode(code))
      .filter((c) => /\s/u.test(c));
    expect(spaces).toHaveLength(25);
    const texts = [
      '',
      spaces.join(''),
      `a${spaces.join('b')}c`,
      '🧬 x\u{1F600}\u{10FFFF}',
      '\ud800 lone \udc00 highs and lows \udbff\ud800\udfff\udfff\ud83e',
      'ends on a high surrogate \ud83e',
    ];
    // random texts mixing ASCII, spaces, Greek, astral characters and lone surrogates
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const pieces = [
      'a',
      'Z',
      ' ',
      '\t',
      '\u00a0',
      '\u3000',
      'Κ',
      'ή',
      '🧬',
      '\ud83e',
      '\udc00',
      '\n',
    ];
    for (let t = 0; t < 200; t++)
      texts.push(
        Array.from({ length: next() % 40 }, () => pieces[next() % pieces.length]).join(''),
      );
    for (const text of texts) {
      expect(charactersWithoutSpaces(text)).toBe(byIteration(text, true));
      expect(characterCount(text)).toBe(byIteration(text, false));
    }
  });
});
