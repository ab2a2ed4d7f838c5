import type { TestApp } from '@pcp/platform';
import { need as validNeed } from './another-organisation';
import { startPlatform, STARTUP_MS } from './platform';

/** What an error body must never reveal: stack frames, files, SQL, the libraries inside. */
export const INTERNAL_DETAIL =
  /\bat [\w.<>]+ \(|\.(ts|js):\d+|node_modules|\/work\/|\bSELECT\b|\bINSERT\b|\bFROM events\b|postgres|pglite|class-(validator|transformer)|nestjs|express|body-parser|mongoose|kafkajs|TypeError|RangeError|SyntaxError|ReferenceError/i;

/** A valid need, with its evidence, that each case below spoils in one way. */
const need = { ...validNeed(), evidence: [{ title: 'Regional sepsis audit 2024' }] };

interface Reply {
  status: number;
  text: string;
  body: Record<string, unknown> & { details?: { field: string }[] };
}

describe('hostile input against the embedded platform', () => {
  let app: TestApp;
  let ana: string;
  const errorBodies: { what: string; text: string }[] = [];
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    app = await startPlatform();
    ana = await app.token({ sub: 'u-ana', org: 'org-hostile', roles: ['procurer'] });
  }, STARTUP_MS);
  afterAll(() => app?.close());

  /** Sends raw bytes as a JSON body; keeps every error body for the final check. */
  async function send(method: string, path: string, raw?: string | Buffer): Promise<Reply> {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ana}`, 'Content-Type': 'application/json' },
      body: raw,
    });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as Reply['body']) : {};
    if (res.status >= 400) errorBodies.push({ what: `${method} ${path}`, text });
    return { status: res.status, text, body };
  }
  const postNeed = (body: unknown) => send('POST', '/needs', JSON.stringify(body));

  function expectRefusedField(reply: Reply, field: string | RegExp): void {
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const fields = (reply.body.details ?? []).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
  }

  it('refuses a body over the limit with 413', async () => {
    const reply = await postNeed({ ...need, description: 'x '.repeat(100_000) });
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('refuses deeply nested JSON, naming where it goes too deep', async () => {
    const deep = `${'{"a":'.repeat(5_000)}"bottom"${'}'.repeat(5_000)}`;
    const raw = JSON.stringify({ ...need, evidence: [{ title: '#' }] }).replace('"#"', deep);
    expectRefusedField(await send('POST', '/needs', raw), /^evidence\.0\.title\.a/);
    // Deep enough to trouble a recursive parser: refused as well, whoever refuses it.
    const reply = await send('POST', '/needs', `${'['.repeat(40_000)}${']'.repeat(40_000)}`);
    expect(reply.status).toBe(400);
  });

  it.each([
    ['__proto__ at the top', '{"__proto__": {"polluted": true}, "title": "x"}', /^__proto__$/],
    [
      '__proto__ inside a list',
      '{"evidence": [{"title": "t", "__proto__": {"isAdmin": true}}]}',
      /^evidence\.0\.__proto__$/,
    ],
    [
      'constructor.prototype',
      '{"constructor": {"prototype": {"polluted": true}}}',
      /^constructor$/,
    ],
    ['prototype', '{"criteria": {"prototype": {"polluted": true}}}', /prototype$/],
  ])('refuses %s and pollutes nothing', async (_what, raw, field) => {
    expectRefusedField(await send('POST', '/needs', raw), field);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('refuses a body that is not valid UTF-8', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"title": "Sepsis '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(`", "description": "d"}`),
    ]);
    const reply = await send('POST', '/needs', raw);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      statusCode: 400,
      message: 'The request body is not valid UTF-8',
    });
  });

  it.each([
    ['a number beyond the double range', '{"patientPopulation": 1e400}', 'patientPopulation'],
    [
      'an integer beyond exact range',
      '{"budgetEstimateEur": 123456789012345678901234567890}',
      'budgetEstimateEur',
    ],
    ['a negative one', '{"budgetEstimateEur": -1e300}', 'budgetEstimateEur'],
  ])('refuses %s with the field', async (_what, fragment, field) => {
    const body = {
      ...need,
      ...(JSON.parse(fragment.replace(/:\s*(-?[\d.e]+)}/, ': 0}')) as object),
    };
    const raw = JSON.stringify(body).replace(
      `"${field}":0`,
      fragment.slice(1, -1).replace(/\s/g, ''),
    );
    expectRefusedField(await send('POST', '/needs', raw), new RegExp(`^${field}$`));
  });

  it.each([
    ['NaN as a string', { patientPopulation: 'NaN' }, 'patientPopulation'],
    ['Infinity as a string', { budgetEstimateEur: 'Infinity' }, 'budgetEstimateEur'],
    ['a number as a string', { patientPopulation: '12000' }, 'patientPopulation'],
    ['a number for a string', { title: 42 }, 'title'],
    ['a string for a list', { scope: 'monitoring' }, 'scope'],
    ['an object for a list', { evidence: { title: 'x' } }, 'evidence'],
    ['a list for a string', { region: ['ES11'] }, 'region'],
    ['a boolean for a number', { patientPopulation: true }, 'patientPopulation'],
    ['null for a required field', { title: null }, 'title'],
    ['an operator object for a string', { region: { $gt: '' } }, 'region'],
    ['an unknown field', { org: 'org-other' }, 'org'],
    ['a NUL character in text', { title: 'Sepsis\u0000' }, 'title'],
    ['an unpaired surrogate in text', { evidence: [{ title: 'x\ud800y' }] }, 'evidence.0.title'],
    ['an overlong title', { title: 'T'.repeat(301) }, 'title'],
    ['2001 characters of free text', { description: 'd'.repeat(2001) }, 'description'],
    ['an overlong nested title', { evidence: [{ title: 'e'.repeat(301) }] }, 'evidence.0.title'],
  ])('refuses %s with 400 naming the field', async (_what, change, field) => {
    expectRefusedField(
      await postNeed({ ...need, ...change }),
      new RegExp(`^${field.replace('.', '\\.')}$`),
    );
  });

  it('accepts exactly 2000 characters of free text (spaces not counted)', async () => {
    const reply = await postNeed({
      ...need,
      description: `${'d'.repeat(1000)} ${'d'.repeat(1000)}`,
    });
    expect(reply.status).toBe(201);
  });

  it('refuses bodies that are not objects', async () => {
    for (const raw of ['null', '[]', '"a string"', '42', '{"title": "unterminated']) {
      const reply = await send('POST', '/needs', raw);
      expect({ raw, status: reply.status }).toEqual({ raw, status: 400 });
    }
  });

  it('stores injection strings verbatim, harmlessly, changing nothing else', async () => {
    await app.settle();
    const list = async () =>
      ((await send('GET', '/needs?limit=500')).body.items as { id: string }[]).map((n) => n.id);
    const before = await list();
    const hostile = {
      ...need,
      title: "Robert'); DROP TABLE events; -- <script>alert(1)</script>",
      description:
        '{"$gt": ""} {"$where": "sleep(1000)"} ${7*7} {{7*7}} \' OR \'1\'=\'1 \u202e \u2028 😷',
      evidence: [
        {
          title: '<img src=x onerror=alert(1)>',
          url: 'https://example.eu/a?b=%27%20OR%201%3D1--&c=$gt',
        },
      ],
    };
    const created = await postNeed(hostile);
    expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
    const id = created.body.id as string;
    await app.settle();

    const read = (await send('GET', `/needs/${id}`)).body;
    expect(read).toMatchObject({
      title: hostile.title,
      description: hostile.description,
      evidence: hostile.evidence,
    });
    const history = (await send('GET', `/needs/${id}/history`)).body as {
      items: { data: Record<string, unknown> }[];
    };
    expect(history.items[0].data).toMatchObject({
      title: hostile.title,
      description: hostile.description,
    });
    // Exactly one need more; every earlier one still there.
    const after = await list();
    expect(after).toHaveLength(before.length + 1);
    expect(after).toEqual(expect.arrayContaining([...before, id]));
    const verify = await fetch(`${app.url}/audit/verify`, {
      headers: {
        Authorization: `Bearer ${await app.token({ sub: 'u-aud', org: 'org-audit', roles: ['auditor'] })}`,
      },
    });
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it('treats operators and SQL in query filters as plain values', async () => {
    await postNeed({ ...need, region: 'ES51' });
    await app.settle();
    for (const query of [
      'org[$ne]=nobody',
      'region[$gt]=',
      'org=%7B%22%24ne%22%3A%22x%22%7D',
      "org=x'%20OR%20'1'%3D'1",
    ]) {
      const reply = await send('GET', `/needs?${query}`);
      // Either refused as malformed, or matched literally: never "everything".
      if (reply.status === 200)
        expect({ query, items: reply.body.items }).toEqual({ query, items: [] });
      else expect({ query, status: reply.status }).toEqual({ query, status: 400 });
    }
  });

  it('never shows a stack trace, a file, SQL or a library name in an error body', () => {
    expect(errorBodies.length).toBeGreaterThan(20);
    for (const { what, text } of errorBodies) {
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(
        Object.keys(body).every((k) => ['statusCode', 'error', 'message', 'details'].includes(k)),
      ).toBe(true);
      expect({ what, leak: INTERNAL_DETAIL.exec(text)?.[0] }).toEqual({ what, leak: undefined });
    }
  });

  it('leaves Object.prototype as it was', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
