import { randomUUID } from 'node:crypto';
import { InMemoryDocumentStore, ProjectionView } from '@pcp/documents';
import type { IntegrationMessage } from '@pcp/messaging';
import { consistencyWaitFrom } from '../application/settings';
import { INNOVATION_TRLS, type InnovationTrl } from '../read-models/pilots.projection';
import { KnownContracts, TendersEventsConsumer } from './known-contracts';

const TENDER = 'tenders-tender-t1';

const message = (
  type: string,
  revision: bigint,
  data: object,
  time = '2026-01-10T09:00:00.000Z',
  streamId = TENDER,
): IntegrationMessage => ({
  id: randomUUID(),
  type,
  source: '/pcp/tenders',
  context: 'tenders',
  specVersion: '1.0',
  time,
  subject: streamId,
  dataSchema: `urn:pcp:tenders:${type}:1`,
  key: streamId,
  data,
  correlationId: randomUUID(),
  causationId: null,
  streamRevision: revision,
  globalPosition: revision,
  actor: null,
  eventHash: null,
});

const phase = (n: number) => ({
  number: n,
  name: `P${n}`,
  budgetEur: 1,
  durationMonths: 1,
  maxSuppliers: 3,
});
const drafted = (procedure: 'PCP' | 'PPI', phases: number) =>
  message('TenderDrafted', 0n, {
    tenderId: 't1',
    org: 'org-sergas',
    consultationId: 'c1',
    procedure,
    ppiProcedure: procedure === 'PPI' ? 'OPEN' : null,
    title: 'Sepsis',
    regions: ['ES11'],
    budgetEur: 3,
    submissionDeadline: '2026-01-01T00:00:00Z',
    criteria: [{ name: 'quality', weight: 100 }],
    phases: Array.from({ length: phases }, (_, i) => phase(i + 1)),
  });
const awarded = (revision: bigint, procedure: 'PCP' | 'PPI', phaseNumber: number, ids: string[]) =>
  message('PhaseContractsAwarded', revision, {
    tenderId: 't1',
    org: 'org-sergas',
    procedure,
    phase: phaseNumber,
    contracts: ids.map((id) => ({
      contractId: id,
      bidId: `bid-${id}`,
      innovationId: `inno-${id}`,
      supplierOrg: `org-${id}`,
    })),
    reason: 'Best value',
    justification: null,
  });
const completed = (
  revision: bigint,
  phaseNumber: number,
  results: [string, boolean, number][],
  time?: string,
) =>
  message(
    'PhaseCompleted',
    revision,
    {
      tenderId: 't1',
      phase: phaseNumber,
      results: results.map(([id, passed, trl]) => ({
        contractId: id,
        innovationId: `inno-${id}`,
        passed,
        assessedTrl: trl,
        reason: 'Evaluated',
      })),
    },
    time,
  );
const downSelected = (revision: bigint, toPhase: number, continued: string[], dropped: string[]) =>
  message('SuppliersDownSelected', revision, {
    tenderId: 't1',
    fromPhase: toPhase - 1,
    toPhase,
    continued: continued.map((id) => ({
      contractId: `${id}-p${toPhase}`,
      previousContractId: id,
      innovationId: `inno-${id}`,
      supplierOrg: `org-${id}`,
    })),
    dropped: dropped.map((id) => ({ contractId: id, innovationId: `inno-${id}` })),
    reason: 'Best value',
    justification: null,
  });
const amended = (revision: bigint, changes: { phaseCount?: number }) =>
  message('TenderAmended', revision, {
    tenderId: 't1',
    org: 'org-sergas',
    changedFields: ['phases'],
    submissionDeadline: '2026-01-01T00:00:00Z',
    reason: 'Field testing merged into the prototype phase',
    ...changes,
  });
const cancelled = (revision: bigint) =>
  message('TenderCancelled', revision, {
    tenderId: 't1',
    org: 'org-sergas',
    outcome: 'CANCELLED',
    reason: 'Budget withdrawn',
  });

describe('what pilots learns of contracts from the tenders events', () => {
  const setup = (consistencyWaitMs = 0) => {
    const documents = new InMemoryDocumentStore();
    const consumer = new TendersEventsConsumer(documents);
    const known = new KnownContracts(documents, { consistencyWaitMs, consistencyPollMs: 10 });
    const deliver = (m: IntegrationMessage) =>
      consumer.handlers.find((h) => h.definition.type === m.type)?.handle(m) ??
      Promise.reject(new Error(m.type));
    return { known, deliver, documents };
  };

  it('a PPI contract is eligible (last phase), held by its supplier, run by the procurer', async () => {
    const { known, deliver } = setup();
    await deliver(drafted('PPI', 0));
    await deliver(awarded(1n, 'PPI', 1, ['a']));
    expect(await known.contract('a')).toEqual({
      contractId: 'a',
      tenderId: 't1',
      procedure: 'PPI',
      phase: 1,
      isLastPhase: true,
      supplierOrg: 'org-a',
      innovationId: 'inno-a',
      procurerOrg: 'org-sergas',
      status: 'ACTIVE',
    });
  });

  it('follows PCP phases: earlier phases are not last; down-selection creates the next contracts and drops others', async () => {
    const { known, deliver } = setup();
    await deliver(drafted('PCP', 2));
    await deliver(awarded(1n, 'PCP', 1, ['a', 'b']));
    expect(await known.contract('a')).toMatchObject({ phase: 1, isLastPhase: false });
    await deliver(completed(2n, 1, [['a', true, 6]]));
    await deliver(downSelected(3n, 2, ['a'], ['b']));
    expect(await known.contract('a')).toMatchObject({ status: 'COMPLETED' });
    expect(await known.contract('b')).toMatchObject({ status: 'TERMINATED' });
    expect(await known.contract('a-p2')).toMatchObject({
      phase: 2,
      isLastPhase: true,
      status: 'ACTIVE',
      procurerOrg: 'org-sergas',
      innovationId: 'inno-a',
    });
  });

  it('a PCP call amended from 3 phases to 2 makes phase 2 the last', async () => {
    const { known, deliver } = setup();
    await deliver(drafted('PCP', 3));
    await deliver(amended(1n, { phaseCount: 2 }));
    await deliver(awarded(2n, 'PCP', 1, ['a', 'b']));
    expect(await known.contract('a')).toMatchObject({ phase: 1, isLastPhase: false });
    await deliver(completed(3n, 1, [['a', true, 7]]));
    await deliver(downSelected(4n, 2, ['a'], ['b']));
    expect(await known.contract('a-p2')).toMatchObject({
      phase: 2,
      isLastPhase: true,
      status: 'ACTIVE',
    });
  });

  it('an amendment recomputes the last phase of contracts already known; one without a phase count keeps it', async () => {
    const { known, deliver } = setup();
    await deliver(drafted('PCP', 3));
    await deliver(awarded(1n, 'PCP', 1, ['a']));
    await deliver(completed(2n, 1, [['a', true, 6]]));
    await deliver(downSelected(3n, 2, ['a'], []));
    expect(await known.contract('a-p2')).toMatchObject({ phase: 2, isLastPhase: false });
    await deliver(amended(4n, {}));
    expect(await known.contract('a-p2')).toMatchObject({ isLastPhase: false });
    await deliver(amended(5n, { phaseCount: 2 }));
    expect(await known.contract('a-p2')).toMatchObject({ phase: 2, isLastPhase: true });
    // A redelivered older amendment changes nothing.
    await deliver(amended(4n, { phaseCount: 3 }));
    expect(await known.contract('a-p2')).toMatchObject({ isLastPhase: true });
  });

  it('a failed evaluation terminates the contract; a passed one completes it', async () => {
    const { known, deliver } = setup();
    await deliver(drafted('PPI', 0));
    await deliver(awarded(1n, 'PPI', 1, ['a', 'b']));
    await deliver(
      completed(2n, 1, [
        ['a', true, 8],
        ['b', false, 5],
      ]),
    );
    expect((await known.contract('a'))?.status).toBe('COMPLETED');
    expect((await known.contract('b'))?.status).toBe('TERMINATED');
  });

  it('a cancellation terminates the contracts in force, not those already completed', async () => {
    const { known, deliver } = setup();
    await deliver(drafted('PPI', 0));
    await deliver(awarded(1n, 'PPI', 1, ['a', 'b']));
    await deliver(completed(2n, 1, [['a', true, 8]]));
    await deliver(cancelled(3n));
    expect((await known.contract('a'))?.status).toBe('COMPLETED');
    expect((await known.contract('b'))?.status).toBe('TERMINATED');
  });

  it('ignores a redelivered older event', async () => {
    const { known, deliver } = setup();
    const award = awarded(1n, 'PPI', 1, ['a']);
    await deliver(drafted('PPI', 0));
    await deliver(award);
    await deliver(cancelled(2n));
    await deliver(award);
    expect((await known.contract('a'))?.status).toBe('TERMINATED');
  });

  it('the latest assessed TRL: phase evaluations and pilot assessments, by time', async () => {
    const { known, deliver, documents } = setup();
    await deliver(drafted('PCP', 2));
    await deliver(awarded(1n, 'PCP', 1, ['a']));
    expect(await known.latestTrl('inno-a')).toBeNull();
    await deliver(completed(2n, 1, [['a', true, 6]], '2026-02-01T09:00:00.000Z'));
    expect(await known.latestTrl('inno-a')).toEqual({
      trl: 6,
      assessedAt: '2026-02-01T09:00:00.000Z',
      source: 'tender t1 phase 1',
    });
    const pilotAssessment: InnovationTrl = {
      innovationId: 'inno-a',
      trl: 5,
      assessedAt: '2026-03-01T09:00:00.000Z',
      source: 'pilot-1',
    };
    await new ProjectionView(documents, {
      id: 'e1',
      type: 'TrlAssessed',
      streamId: 'pilots-pilot-pilot-1',
      revision: 3n,
      occurredAt: pilotAssessment.assessedAt,
      data: {},
    }).update<InnovationTrl>(INNOVATION_TRLS, 'inno-a', () => pilotAssessment);
    // A later assessment wins, even a lower one (a downgrade).
    expect(await known.latestTrl('inno-a')).toMatchObject({ trl: 5, source: 'pilot-1' });
  });

  it('waits for a contract that is on its way, up to the consistency wait', async () => {
    const { known, deliver } = setup(2000);
    await deliver(drafted('PPI', 0));
    setTimeout(() => void deliver(awarded(1n, 'PPI', 1, ['a'])), 100);
    const started = Date.now();
    expect(await known.contract('a')).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up after the consistency wait: the contract is unknown', async () => {
    const { known } = setup(150);
    const started = Date.now();
    expect(await known.contract('nope')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('CONSISTENCY_WAIT_MS', () => {
  it('defaults to 5000 and takes whole milliseconds up to a minute', () => {
    expect(consistencyWaitFrom({})).toBe(5000);
    expect(consistencyWaitFrom({ CONSISTENCY_WAIT_MS: '250' })).toBe(250);
    for (const bad of ['-1', '1.5', 'soon', '600000']) {
      expect(() => consistencyWaitFrom({ CONSISTENCY_WAIT_MS: bad })).toThrow(
        /CONSISTENCY_WAIT_MS/,
      );
    }
  });
});
