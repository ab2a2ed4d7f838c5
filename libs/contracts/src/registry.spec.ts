import {
  BidSubmittedEvent,
  BidsOpenedEvent,
  PhaseContractsAwardedEvent,
  DeploymentDecidedEvent,
  ProcurementRouteDecidedEvent,
  TenderDraftedEvent,
  ConsultationOpenedEvent,
  NeedRecordedEvent,
  IntegrationEventRegistry,
  allIntegrationEvents,
  defineIntegrationEvent,
  integrationEvents,
  object,
  id,
  topicOf,
} from './index';

// The list of /work/shared/API.md "Integration events", per context.
const PUBLISHED = {
  needs: [
    'NeedRecorded',
    'NeedValidated',
    'NeedRejected',
    'NeedPrioritised',
    'NeedWithdrawn',
    'BuyersGroupFormed',
    'BuyersGroupJoined',
  ],
  consultations: [
    'ConsultationOpened',
    'PriorInformationNoticePublished',
    'ConsultationResponseSubmitted',
    'ClarificationAnswered',
    'ConsultationClosed',
    'ProcurementRouteDecided',
  ],
  tenders: [
    'TenderDrafted',
    'TenderPublished',
    'TenderAmended',
    'BidSubmitted',
    'BidsOpened',
    'EvaluationCompleted',
    'PhaseContractsAwarded',
    'DeliverableAccepted',
    'PhaseCompleted',
    'SuppliersDownSelected',
    'TenderCompleted',
    'TenderCancelled',
  ],
  pilots: [
    'TestbedRegistered',
    'PilotPlanned',
    'PilotStarted',
    'TrlAssessed',
    'PilotCompleted',
    'DeploymentDecided',
  ],
} as const;

describe('integration event registry', () => {
  it.each(Object.entries(PUBLISHED))(
    'declares every %s event of the HTTP contract',
    (context, types) => {
      const declared = integrationEvents
        .ofContext(context as keyof typeof PUBLISHED)
        .map((d) => d.type);
      expect(declared.sort()).toEqual([...types].sort());
      for (const d of integrationEvents.ofContext(context as keyof typeof PUBLISHED)) {
        expect(d.topic).toBe(`pcp.${context}.events`);
        expect(d.source).toBe(`/pcp/${context}`);
      }
    },
  );

  it.each(allIntegrationEvents.map((d) => [d.name, d] as const))(
    '%s: its example satisfies its schema',
    (_, d) => {
      expect(integrationEvents.check(d, d.example)).toEqual({ valid: true });
    },
  );

  it.each(allIntegrationEvents.map((d) => [d.name, d] as const))(
    '%s: refuses unknown fields and a missing key',
    (_, d) => {
      const withExtra = { ...(d.example as object), unexpected: 1 };
      expect(integrationEvents.check(d, withExtra).valid).toBe(false);
      const withoutKey: Record<string, unknown> = { ...(d.example as object) };
      delete withoutKey[d.key];
      const result = integrationEvents.check(d, withoutKey);
      expect(result.valid).toBe(false);
      if (!result.valid) expect(result.errors.join(' ')).toContain(d.key);
    },
  );

  it('keeps a sealed bid sealed: BidSubmitted has no content, no bidder, no actor', () => {
    const properties = Object.keys(BidSubmittedEvent.schema['properties'] as object).sort();
    expect(properties).toEqual(['bidId', 'count', 'tenderId']);
    expect(BidSubmittedEvent.revealsActor).toBe(false);
    expect(
      integrationEvents.check(BidSubmittedEvent, {
        tenderId: 't-1',
        bidId: 'b-1',
        count: 1,
        supplierOrg: 'o-1',
      }).valid,
    ).toBe(false);
  });

  it('requires a justification for a route against the TRL rule', () => {
    const against = {
      ...ProcurementRouteDecidedEvent.example,
      route: 'PPI' as const,
      againstTrlRule: true,
    };
    expect(integrationEvents.check(ProcurementRouteDecidedEvent, against).valid).toBe(false);
    expect(
      integrationEvents.check(ProcurementRouteDecidedEvent, {
        ...against,
        justification: 'Market ready in 6 months',
      }),
    ).toEqual({ valid: true });
  });

  it('requires exactly one of need and buyers group on a consultation', () => {
    const both = { ...ConsultationOpenedEvent.example, buyersGroupId: 'bg-1' };
    const neither = { ...ConsultationOpenedEvent.example, needId: null };
    expect(integrationEvents.check(ConsultationOpenedEvent, both).valid).toBe(false);
    expect(integrationEvents.check(ConsultationOpenedEvent, neither).valid).toBe(false);
  });

  it('refuses a deployment below an assessed TRL of 8', () => {
    const early = { ...DeploymentDecidedEvent.example, assessedTrl: 7 };
    expect(integrationEvents.check(DeploymentDecidedEvent, early).valid).toBe(false);
    expect(integrationEvents.check(DeploymentDecidedEvent, { ...early, deploy: false })).toEqual({
      valid: true,
    });
  });

  it('ties PCP to 2-5 phases and PPI to a PPI procedure', () => {
    const onePhase = {
      ...TenderDraftedEvent.example,
      phases: TenderDraftedEvent.example.phases.slice(0, 1),
    };
    expect(integrationEvents.check(TenderDraftedEvent, onePhase).valid).toBe(false);
    const ppi = {
      ...TenderDraftedEvent.example,
      procedure: 'PPI' as const,
      phases: [],
      ppiProcedure: 'OPEN' as const,
    };
    expect(integrationEvents.check(TenderDraftedEvent, ppi)).toEqual({ valid: true });
    expect(integrationEvents.check(TenderDraftedEvent, { ...ppi, ppiProcedure: null }).valid).toBe(
      false,
    );
  });

  it('checks formats and codes: date-times, NUTS regions, barrier codes', () => {
    expect(
      integrationEvents.check(NeedRecordedEvent, {
        ...NeedRecordedEvent.example,
        region: 'Galicia',
      }).valid,
    ).toBe(false);
    // shaped like a code, but not in the NUTS 2021 list
    expect(
      integrationEvents.check(NeedRecordedEvent, { ...NeedRecordedEvent.example, region: 'ES99' })
        .valid,
    ).toBe(false);
    expect(
      integrationEvents.check(NeedRecordedEvent, { ...NeedRecordedEvent.example, region: 'UKM' }),
    ).toEqual({
      valid: true,
    });
    expect(
      integrationEvents.check(NeedRecordedEvent, {
        ...NeedRecordedEvent.example,
        barriers: ['bureaucracy'],
      }).valid,
    ).toBe(false);
    expect(
      integrationEvents.check(TenderDraftedEvent, {
        ...TenderDraftedEvent.example,
        submissionDeadline: 'next Friday',
      }).valid,
    ).toBe(false);
  });

  it('finds a definition by type, by version and by dataschema', () => {
    expect(integrationEvents.find('TenderPublished')?.context).toBe('tenders');
    expect(integrationEvents.find('TenderPublished', 2)).toBeUndefined();
    expect(integrationEvents.byDataSchema('urn:pcp:needs:NeedRecorded:v1')).toBe(NeedRecordedEvent);
    expect(integrationEvents.find('NoSuchEvent')).toBeUndefined();
  });

  it('prefers the latest version and keeps older ones readable', () => {
    const v2 = defineIntegrationEvent<{ needId: string; org: string }>({
      ...NeedRecordedEvent,
      version: 2,
      schema: object({ needId: id('Need id.'), org: id('Org.') }, ['needId', 'org']),
      example: { needId: 'n-1', org: 'o-1' },
    } as never);
    const registry = new IntegrationEventRegistry([NeedRecordedEvent, v2]);
    expect(registry.find('NeedRecorded')?.version).toBe(2);
    expect(registry.find('NeedRecorded', 1)).toBe(NeedRecordedEvent);
    expect(registry.byDataSchema('urn:pcp:needs:NeedRecorded:v2')).toBe(v2);
  });

  it('refuses a declaration twice, a type in two contexts, or a key outside the schema', () => {
    expect(() => new IntegrationEventRegistry([NeedRecordedEvent, NeedRecordedEvent])).toThrow(
      /declared twice/,
    );
    const elsewhere = defineIntegrationEvent({ ...NeedRecordedEvent, context: 'pilots' } as never);
    expect(() => new IntegrationEventRegistry([NeedRecordedEvent, elsewhere])).toThrow(
      /both needs and pilots/,
    );
    expect(() =>
      defineIntegrationEvent<{ a: string }>({
        context: 'needs',
        type: 'Broken',
        version: 1,
        aggregate: 'need',
        key: 'a',
        description: 'x',
        schema: object({ b: id('b') }, ['b']),
        example: { a: 'x' },
      }),
    ).toThrow(/key field "a"/);
  });

  it('reads opened bids and awards with or without the SME flag (events from before it still validate)', () => {
    const opened = BidsOpenedEvent.example;
    const { sme: _bidSme, ...withoutFlag } = opened.bids[0];
    expect(integrationEvents.check(BidsOpenedEvent, { ...opened, bids: [withoutFlag] })).toEqual({
      valid: true,
    });
    for (const sme of [true, false, null])
      expect(
        integrationEvents.check(BidsOpenedEvent, { ...opened, bids: [{ ...withoutFlag, sme }] }),
      ).toEqual({ valid: true });
    expect(
      integrationEvents.check(BidsOpenedEvent, {
        ...opened,
        bids: [{ ...withoutFlag, sme: 'yes' }],
      }),
    ).toMatchObject({ valid: false });
    const awarded = PhaseContractsAwardedEvent.example;
    const { sme: _contractSme, ...contract } = awarded.contracts[0];
    expect(
      integrationEvents.check(PhaseContractsAwardedEvent, { ...awarded, contracts: [contract] }),
    ).toEqual({ valid: true });
    expect(
      integrationEvents.check(PhaseContractsAwardedEvent, {
        ...awarded,
        contracts: [{ ...contract, sme: 1 }],
      }),
    ).toMatchObject({ valid: false });
  });

  it('names topics after contexts', () => {
    expect(topicOf('tenders')).toBe('pcp.tenders.events');
  });
});
