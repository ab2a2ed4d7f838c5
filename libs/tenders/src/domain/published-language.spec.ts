import { randomUUID } from 'node:crypto';
import { integrationEvents } from '@pcp/contracts';
import type { EventEnvelope } from '@pcp/eventsourcing';
import { tendersTranslator } from '../integration/tenders-translator';
import { at, draftPcp, pcpCompleted, ppiStory, procurer, story } from './__fixtures__/tender-story';
import type { TenderEvent } from './tender';

// What the tenders context stores must publish as its declared integration events: the
// platform's translator keeps what each schema declares, at every depth, and the relay
// refuses anything else. A stored shape that drifted from its schema would be parked.
const translator = tendersTranslator;

function envelope(event: TenderEvent, revision: number): EventEnvelope {
  return {
    id: randomUUID(),
    type: event.type,
    schemaVersion: 1,
    streamId: 'tenders-tender-tender-91b0',
    revision: BigInt(revision),
    globalPosition: BigInt(revision),
    occurredAt: '2026-05-01T10:00:00.000Z',
    recordedAt: '2026-05-01T10:00:00.000Z',
    actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
    reason: null,
    correlationId: 'c',
    causationId: null,
    data: event.data,
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  };
}

describe('tenders published language', () => {
  for (const [name, history] of [
    ['a whole three-phase PCP', () => pcpCompleted()],
    ['a PPI call', () => ppiStory()],
  ] as const) {
    it(`publishes every declared event of ${name} in a shape its schema accepts`, () => {
      const published = history()
        .map((event, i) => translator.translate(envelope(event, i)))
        .filter((t) => t !== null);
      expect(published.length).toBeGreaterThan(3);
      for (const t of published) {
        expect({
          type: t.definition.type,
          check: integrationEvents.check(t.definition, t.data),
        }).toEqual({
          type: t.definition.type,
          check: { valid: true },
        });
      }
      const types = published.map((t) => t.definition.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'TenderDrafted',
          'TenderPublished',
          'BidsOpened',
          'PhaseContractsAwarded',
        ]),
      );
      // The SME flag sealed in each bid is published with the opened bids and the awards.
      const flags = (type: string, list: string) =>
        published
          .filter((t) => t.definition.type === type)
          .flatMap((t) => (t.data as Record<string, Array<{ sme?: unknown }>>)[list])
          .map((x) => x.sme);
      expect(flags('BidsOpened', 'bids').length).toBeGreaterThan(0);
      expect(flags('BidsOpened', 'bids').every((f) => f === null || typeof f === 'boolean')).toBe(
        true,
      );
      expect(flags('PhaseContractsAwarded', 'contracts').length).toBeGreaterThan(0);
      if (name === 'a whole three-phase PCP') {
        expect(flags('BidsOpened', 'bids')).toEqual([true, false, null]);
        expect(flags('PhaseContractsAwarded', 'contracts')).toEqual(expect.arrayContaining([true]));
      }
      // No price of any bid or contract leaves the context.
      expect(JSON.stringify(published.map((t) => t.data))).not.toContain('priceEur');
    });
  }

  it('publishes the number of phases in force with an amendment of a PCP call, never for PPI', () => {
    const amended = story([
      draftPcp,
      {
        type: 'AmendTender',
        actorOrg: procurer,
        changes: { phases: (draftPcp.phases as unknown[]).slice(0, 2) },
        reason: 'Field testing merged into the prototype phase',
        now: at.drafting,
      },
    ]);
    const published = translator.translate(envelope(amended[1], 1));
    expect(published?.data).toEqual({
      tenderId: 'tender-91b0',
      org: 'org-sergas',
      changedFields: ['phases'],
      submissionDeadline: '2025-09-30T14:00:00+02:00',
      reason: 'Field testing merged into the prototype phase',
      phaseCount: 2,
    });
    expect(published && integrationEvents.check(published.definition, published.data)).toEqual({
      valid: true,
    });
    // Terms, bids to reconfirm and the materiality flag stay inside the context.
    expect(Object.keys(published?.data ?? {})).not.toContain('terms');

    const ppi = ppiStory();
    const ppiAmended = story(
      [
        {
          type: 'AmendTender',
          actorOrg: procurer,
          changes: { title: 'PPI: remote monitoring of chronic heart failure' },
          reason: 'Clearer title',
          now: at.drafting,
        },
      ],
      ppi.slice(0, 1),
    );
    const ppiPublished = translator.translate(envelope(ppiAmended[1], 1));
    expect(ppiPublished?.data).not.toHaveProperty('phaseCount');
    expect(
      ppiPublished && integrationEvents.check(ppiPublished.definition, ppiPublished.data),
    ).toEqual({ valid: true });
  });
});
