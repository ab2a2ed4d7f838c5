import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_LANGUAGE_VERSION, integrationEvents, renderAsyncApiYaml } from './index';

const committedPath = join(__dirname, '..', 'asyncapi.yaml');

describe('AsyncAPI document', () => {
  const committed = readFileSync(committedPath, 'utf8');

  it('is up to date with the registry (regenerate: bash scripts/run-ts.sh libs/contracts/scripts/generate-asyncapi.ts)', () => {
    expect(committed).toBe(
      renderAsyncApiYaml(integrationEvents, { version: PUBLISHED_LANGUAGE_VERSION }),
    );
  });

  it('parses without errors and lists every registered event on its context channel', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    expect(document).toBeDefined();
    if (!document) return;

    expect(document.version()).toBe('3.0.0');
    for (const definition of integrationEvents.all()) {
      const channel = document
        .channels()
        .all()
        .find((c) => c.address() === definition.topic);
      expect(channel).toBeDefined();
      const message = channel
        ?.messages()
        .all()
        .find((m) => m.name() === definition.type);
      expect(message).toBeDefined();
      // the payload schema is the registry's, resolved through $ref
      const payload = message?.payload()?.json() as Record<string, unknown>;
      expect(Object.keys(payload['properties'] as object).sort()).toEqual(
        Object.keys(definition.schema['properties'] as object).sort(),
      );
      const headers = message?.headers()?.json() as { required: string[] };
      expect(headers.required).toEqual(
        expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_specversion']),
      );
    }
    const sends = document
      .operations()
      .all()
      .filter((o) => o.action() === 'send');
    const published = sends.flatMap((o) =>
      o
        .messages()
        .all()
        .map((m) => m.name()),
    );
    for (const definition of integrationEvents.all()) expect(published).toContain(definition.type);
  });

  it('catches a stale document', () => {
    const changed = renderAsyncApiYaml(integrationEvents, { version: '0.0.0-other' });
    expect(changed).not.toBe(committed);
  });
});
