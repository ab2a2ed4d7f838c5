import {
  BidSubmittedEvent,
  BidsOpenedEvent,
  NeedRecordedEvent,
  PhaseContractsAwardedEvent,
} from '@pcp/contracts';
import { UndeclaredIntegrationEventError, integrationTranslator } from './translation';
import { storedEvent } from './test-support/envelopes';

describe('integration translator', () => {
  it('publishes a same-name stored event with only the fields its schema declares', () => {
    const translator = integrationTranslator('needs');
    const stored = storedEvent('NeedRecorded', {
      ...NeedRecordedEvent.example,
      description: 'internal detail',
      evidence: [{ title: 'study' }],
    });
    const t = translator.translate(stored);
    expect(t?.definition).toBe(NeedRecordedEvent);
    expect(t?.data).toEqual(NeedRecordedEvent.example);
    expect(translator.sourceTypes).toContain('NeedRecorded');
  });

  it('keeps what the schema declares at every depth, so nested private fields stay private', () => {
    const translator = integrationTranslator('tenders');
    const example = PhaseContractsAwardedEvent.example;
    const stored = storedEvent('PhaseContractsAwarded', {
      ...example,
      contracts: example.contracts.map((c) => ({
        ...c,
        priceEur: 1_200_000,
        frameworkAgreementId: 'fa-1',
      })),
    });
    const t = translator.translate(stored);
    expect(t?.data).toEqual(example);
    expect(JSON.stringify(t?.data)).not.toContain('priceEur');
    const opened = BidsOpenedEvent.example;
    const withPrices = storedEvent('BidsOpened', {
      ...opened,
      bids: opened.bids.map((b) => ({ ...b, priceEur: 99, lotId: null })),
    });
    expect(translator.translate(withPrices)?.data).toEqual(opened);
  });

  it('takes only declared fields, not names every object has', () => {
    const translator = integrationTranslator('needs');
    const stored = storedEvent(
      'NeedRecorded',
      JSON.parse(
        JSON.stringify({
          ...NeedRecordedEvent.example,
          constructor: 'private',
          toString: 'private',
          hasOwnProperty: 'private',
        }).replace('{', '{"__proto__":{"polluted":"private"},'),
      ) as object,
    );
    const data = translator.translate(stored)?.data as Record<string, unknown>;
    expect(data).toEqual(NeedRecordedEvent.example);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).not.toContain('private');
  });

  it('keeps private events and other contexts’ events out', () => {
    const translator = integrationTranslator('needs');
    expect(translator.translate(storedEvent('NeedDraftSaved', {}))).toBeNull();
    expect(translator.translate(storedEvent('TenderPublished', {}))).toBeNull();
  });

  it('maps a stored event to its published form, and may keep an occurrence private', () => {
    const translator = integrationTranslator('tenders', {
      mappings: {
        BidPlaced: (e) => {
          const d = e.data as {
            tenderId: string;
            bidId: string;
            bidsSoFar: number;
            priceEur: number;
          };
          return {
            type: 'BidSubmitted',
            data: { tenderId: d.tenderId, bidId: d.bidId, count: d.bidsSoFar },
          };
        },
        BidReplaced: () => null,
      },
    });
    const placed = storedEvent('BidPlaced', {
      tenderId: 't-1',
      bidId: 'b-1',
      bidsSoFar: 2,
      priceEur: 9,
    });
    expect(translator.translate(placed)).toEqual({
      definition: BidSubmittedEvent,
      data: { tenderId: 't-1', bidId: 'b-1', count: 2 },
    });
    expect(translator.translate(storedEvent('BidReplaced', {}))).toBeNull();
    expect(translator.sourceTypes).toEqual(
      expect.arrayContaining(['BidPlaced', 'BidReplaced', 'TenderPublished']),
    );
  });

  it('refuses a mapping to an event the context does not declare', () => {
    const translator = integrationTranslator('tenders', {
      mappings: { Oops: () => ({ type: 'NeedRecorded', data: {} }) },
    });
    expect(() => translator.translate(storedEvent('Oops', {}))).toThrow(
      UndeclaredIntegrationEventError,
    );
  });
});
