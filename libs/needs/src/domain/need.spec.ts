import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import { NotOwnerError } from './errors';
import { needDecider, type NeedCommand, type NeedEvent } from './need';

const given = DeciderSpecification.for(needDecider);

function definitionOf(type: string) {
  const definition = integrationEvents.find(type);
  if (!definition) throw new Error(`${type} is not a declared integration event`);
  return definition;
}

const record: Extract<NeedCommand, { type: 'RecordNeed' }> = {
  type: 'RecordNeed',
  needId: 'need-7f3a9c',
  actorOrg: 'org-sergas',
  title: '  Early detection of sepsis in emergency departments ',
  description: 'Sepsis is recognised too late in two out of five admissions.',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection', 'decision_support'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: ['data_fragmentation', 'ai_uncertainty'],
  evidence: [
    { title: 'Regional sepsis audit 2024', url: 'https://sergas.example/audit.pdf' },
    { title: 'Clinical board minutes' },
  ],
};

const recorded: NeedEvent = {
  type: 'NeedRecorded',
  data: {
    needId: 'need-7f3a9c',
    org: 'org-sergas',
    title: 'Early detection of sepsis in emergency departments',
    description: 'Sepsis is recognised too late in two out of five admissions.',
    region: 'ES11',
    diseaseField: 'infectious',
    scope: ['early_detection', 'decision_support'],
    patientPopulation: 12000,
    budgetEstimateEur: 2_500_000,
    barriers: ['data_fragmentation', 'ai_uncertainty'],
    evidence: [
      { title: 'Regional sepsis audit 2024', url: 'https://sergas.example/audit.pdf' },
      { title: 'Clinical board minutes', url: null },
    ],
  },
};
const validated: NeedEvent = {
  type: 'NeedValidated',
  data: { needId: 'need-7f3a9c', org: 'org-sergas', region: 'ES11', rationale: null },
};
const rejected: NeedEvent = {
  type: 'NeedRejected',
  data: { needId: 'need-7f3a9c', org: 'org-sergas', reason: 'Covered by a regional programme' },
  reason: 'Covered by a regional programme',
};
const withdrawn: NeedEvent = {
  type: 'NeedWithdrawn',
  data: { needId: 'need-7f3a9c', org: 'org-sergas', reason: 'Merged into another need' },
  reason: 'Merged into another need',
};

const owner = 'org-sergas';
const stranger = 'org-navarrabiomed';
const recordWith = (changes: Partial<typeof record>) => given([]).when({ ...record, ...changes });

describe('recording a need', () => {
  it('records every field, trimmed, with the recording organisation as owner', () => {
    given([]).when(record).then([recorded]);
  });

  it('starts in RECORDED, ungrouped and unprioritised', () => {
    given([]).when(record).thenState({
      status: 'RECORDED',
      needId: 'need-7f3a9c',
      org: 'org-sergas',
      region: 'ES11',
      title: 'Early detection of sepsis in emergency departments',
      priority: null,
      buyersGroupId: null,
    });
  });

  it('refuses to record the same need twice', () => {
    given([recorded]).when(record).thenThrows(InvalidStateError, 'This need is already recorded');
  });

  describe('description: at most 2000 characters without spaces', () => {
    const words = (count: number) => Array.from({ length: count / 4 }, () => 'abcd').join(' \n');

    it('does not count whitespace', () => {
      const description = words(2000);
      expect(description.length).toBeGreaterThan(2000);
      const [event] = needDecider.decide({ ...record, description }, needDecider.initialState());
      expect((event.data as { description: string }).description).toBe(description);
    });

    it('refuses one character more, saying how long it is', () => {
      const error = recordWith({ description: words(2000) + 'x' }).thenThrows(
        DomainRuleError,
        'The description has 2001 characters without spaces; shorten it to at most 2000',
      );
      expect(error.details).toEqual({ field: 'description', length: 2001, limit: 2000 });
    });

    it('refuses an empty one', () => {
      recordWith({ description: ' \n ' }).thenThrows(
        DomainRuleError,
        'The description must not be empty',
      );
    });
  });

  it('refuses a missing or overlong title', () => {
    recordWith({ title: '' }).thenThrows(DomainRuleError, 'The title must not be empty');
    recordWith({ title: 'x'.repeat(301) }).thenThrows(
      DomainRuleError,
      'The title has 301 characters; shorten it to at most 300',
    );
  });

  describe('region: a code of the full NUTS 2021 list', () => {
    it.each(['ES51', 'BG411', 'NL', 'LT0', 'UKM'])('accepts %s', (region) => {
      const [event] = needDecider.decide({ ...record, region }, needDecider.initialState());
      expect((event.data as { region: string }).region).toBe(region);
    });

    it.each(['ES99', 'es51', 'ES0', 'Catalonia', 'DEG0S'])('refuses %s', (region) => {
      const error = recordWith({ region }).thenThrows(
        DomainRuleError,
        /is not a NUTS 2021 region code \(for example ES51 for Catalonia\)/,
      );
      expect(error.code).toBe('UNKNOWN_REGION');
    });

    it('refuses an Extra-Regio code', () => {
      recordWith({ region: 'ESZZZ' }).thenThrows(DomainRuleError, /ESZZZ is an Extra-Regio code/);
    });
  });
  it('accepts a whole country as region', () => {
    recordWith({ region: 'ES' }).then([{ ...recorded, data: { ...recorded.data, region: 'ES' } }]);
  });

  it('refuses an unknown disease field, naming the known ones', () => {
    recordWith({ diseaseField: 'oncology' }).thenThrows(
      DomainRuleError,
      '"oncology" is not a disease field; use cancer, neuroscience, infectious, cardiovascular, genetic, rare or other',
    );
  });

  it('needs at least one known scope, each once', () => {
    recordWith({ scope: [] }).thenThrows(DomainRuleError, /Name at least one scope/);
    recordWith({ scope: ['diagnosis', 'surgery'] }).thenThrows(
      DomainRuleError,
      'Unknown scope "surgery"',
    );
    recordWith({ scope: ['diagnosis', 'diagnosis'] }).thenThrows(
      DomainRuleError,
      'The scope diagnosis is listed more than once',
    );
  });

  it('takes barrier codes from the taxonomy, each once; none is fine', () => {
    recordWith({ barriers: ['data_consent', 'bureaucracy'] }).thenThrows(
      DomainRuleError,
      'Unknown barrier "bureaucracy"',
    );
    recordWith({ barriers: ['coordination', 'coordination'] }).thenThrows(
      DomainRuleError,
      'The barrier coordination is listed more than once',
    );
    recordWith({ barriers: [] }).then([{ ...recorded, data: { ...recorded.data, barriers: [] } }]);
  });

  it('refuses a patient population that is not a whole number of 0 or more', () => {
    for (const patientPopulation of [-1, 10.5, Number.NaN]) {
      recordWith({ patientPopulation }).thenThrows(
        DomainRuleError,
        'The patient population must be a whole number of 0 or more',
      );
    }
  });

  it('refuses a negative or non-finite budget estimate', () => {
    for (const budgetEstimateEur of [-1, Number.POSITIVE_INFINITY]) {
      recordWith({ budgetEstimateEur }).thenThrows(
        DomainRuleError,
        'The budget estimate must be an amount in EUR of 0 or more',
      );
    }
  });

  it('refuses evidence without a title or with a link that is not a web address', () => {
    recordWith({ evidence: [{ title: ' ' }] }).thenThrows(
      DomainRuleError,
      'The title of evidence 1 must not be empty',
    );
    recordWith({ evidence: [{ title: 'ok' }, { title: 'Audit', url: 'ftp://x/a' }] }).thenThrows(
      DomainRuleError,
      'The link of evidence 2 must be an http or https address',
    );
  });
});

describe('validating a need', () => {
  it('validates a recorded need, with an optional rationale', () => {
    given([recorded]).when({ type: 'ValidateNeed', actorOrg: owner }).then([validated]);
    given([recorded])
      .when({ type: 'ValidateNeed', actorOrg: owner, rationale: ' Confirmed by clinical board ' })
      .then([
        { ...validated, data: { ...validated.data, rationale: 'Confirmed by clinical board' } },
      ]);
  });

  it('refuses a procurer of another organisation, with a 403', () => {
    const error = given([recorded])
      .when({ type: 'ValidateNeed', actorOrg: stranger })
      .thenThrows(
        NotOwnerError,
        'Only procurers of org-sergas, the organisation that recorded this need, can change it',
      );
    expect(error).toMatchObject({ status: 403, expose: true, code: 'NOT_OWNER' });
  });

  it('refuses to validate twice', () => {
    given([recorded, validated])
      .when({ type: 'ValidateNeed', actorOrg: owner })
      .thenThrows(InvalidStateError, 'The need is already validated');
  });

  it('refuses a need that does not exist', () => {
    given([])
      .when({ type: 'ValidateNeed', actorOrg: owner })
      .thenThrows(NotFoundError, 'There is no such need');
  });
});

describe('rejecting a need', () => {
  it('rejects a recorded need with its reason on the event', () => {
    given([recorded])
      .when({ type: 'RejectNeed', actorOrg: owner, reason: 'Covered by a regional programme' })
      .then([rejected]);
  });

  it('needs a reason', () => {
    given([recorded])
      .when({ type: 'RejectNeed', actorOrg: owner, reason: '  ' })
      .thenThrows(DomainRuleError, 'The reason must not be empty');
  });

  it('does not reject a validated need: that is a withdrawal', () => {
    given([recorded, validated])
      .when({ type: 'RejectNeed', actorOrg: owner, reason: 'x' })
      .thenThrows(InvalidStateError, /withdraw it with a reason instead/);
  });

  it('refuses another organisation', () => {
    given([recorded])
      .when({ type: 'RejectNeed', actorOrg: stranger, reason: 'x' })
      .thenThrows(NotOwnerError);
  });
});

describe('withdrawing a need', () => {
  const withdraw = (actorOrg = owner): NeedCommand => ({
    type: 'WithdrawNeed',
    actorOrg,
    reason: 'Merged into another need',
  });

  it('withdraws a recorded or a validated need', () => {
    given([recorded]).when(withdraw()).then([withdrawn]);
    given([recorded, validated]).when(withdraw()).then([withdrawn]);
    given([recorded, validated])
      .when(withdraw())
      .thenState(expect.objectContaining({ status: 'WITHDRAWN' }));
  });

  it('needs a reason and the owner', () => {
    given([recorded])
      .when({ type: 'WithdrawNeed', actorOrg: owner, reason: '' })
      .thenThrows(DomainRuleError, 'The reason must not be empty');
    given([recorded]).when(withdraw(stranger)).thenThrows(NotOwnerError);
  });
});

describe('a rejected or withdrawn need changes no further', () => {
  const commands: NeedCommand[] = [
    { type: 'ValidateNeed', actorOrg: owner },
    { type: 'RejectNeed', actorOrg: owner, reason: 'again' },
    { type: 'WithdrawNeed', actorOrg: owner, reason: 'again' },
    { type: 'PrioritiseNeed', actorOrg: owner, score: 50 },
  ];

  it.each(commands.map((c) => [c.type, c] as const))(
    '%s after rejection: 409',
    (_type, command) => {
      const error = given([recorded, rejected])
        .when(command)
        .thenThrows(InvalidStateError, 'The need was rejected and changes no further');
      expect(error.code).toBe('NEED_CLOSED');
    },
  );

  it.each(commands.map((c) => [c.type, c] as const))(
    '%s after withdrawal: 409',
    (_type, command) => {
      given([recorded, validated, withdrawn])
        .when(command)
        .thenThrows(InvalidStateError, 'The need was withdrawn and changes no further');
    },
  );
});

describe('prioritising a need', () => {
  it('scores a recorded need, per criterion too', () => {
    given([recorded])
      .when({
        type: 'PrioritiseNeed',
        actorOrg: owner,
        score: 87,
        criteria: { impact: 90, feasibility: 80 },
      })
      .then([
        {
          type: 'NeedPrioritised',
          data: {
            needId: 'need-7f3a9c',
            org: owner,
            score: 87,
            criteria: { impact: 90, feasibility: 80 },
          },
        },
      ]);
  });

  it('scores a validated need without criteria, and a later score replaces the earlier', () => {
    const first: NeedEvent = {
      type: 'NeedPrioritised',
      data: { needId: 'need-7f3a9c', org: owner, score: 40, criteria: { impact: 30 } },
    };
    given([recorded, validated, first])
      .when({ type: 'PrioritiseNeed', actorOrg: owner, score: 100, criteria: {} })
      .thenState(
        expect.objectContaining({ status: 'VALIDATED', priority: { score: 100, criteria: null } }),
      );
  });

  it.each([0, 101, 50.5, Number.NaN])('refuses the score %s', (score) => {
    given([recorded])
      .when({ type: 'PrioritiseNeed', actorOrg: owner, score })
      .thenThrows(DomainRuleError, 'The score must be a whole number from 1 to 100');
  });

  it('refuses a criterion scored outside 1-100 or without a name', () => {
    given([recorded])
      .when({ type: 'PrioritiseNeed', actorOrg: owner, score: 5, criteria: { impact: 0 } })
      .thenThrows(
        DomainRuleError,
        'The score of criterion impact must be a whole number from 1 to 100',
      );
    given([recorded])
      .when({ type: 'PrioritiseNeed', actorOrg: owner, score: 5, criteria: { ' ': 10 } })
      .thenThrows(DomainRuleError, 'The criterion name must not be empty');
    given([recorded])
      .when({ type: 'PrioritiseNeed', actorOrg: owner, score: 5, criteria: { a: 1, ' a': 2 } })
      .thenThrows(DomainRuleError, 'The criterion a is scored more than once');
  });

  it('refuses another organisation', () => {
    given([recorded])
      .when({ type: 'PrioritiseNeed', actorOrg: stranger, score: 5 })
      .thenThrows(NotOwnerError);
  });
});

describe('claiming a need for a buyers group', () => {
  const grouped: NeedEvent = {
    type: 'NeedGrouped',
    data: { needId: 'need-7f3a9c', buyersGroupId: 'bg-1' },
  };

  it('claims a validated need', () => {
    given([recorded, validated]).when({ type: 'GroupNeed', buyersGroupId: 'bg-1' }).then([grouped]);
  });

  it('records nothing when the same group claims it again', () => {
    given([recorded, validated, grouped])
      .when({ type: 'GroupNeed', buyersGroupId: 'bg-1' })
      .thenNothingHappens();
  });

  it('keeps a need in at most one group', () => {
    const error = given([recorded, validated, grouped])
      .when({ type: 'GroupNeed', buyersGroupId: 'bg-2' })
      .thenThrows(DomainRuleError, /already belongs to buyers group bg-1/);
    expect(error.details).toEqual({ needId: 'need-7f3a9c', buyersGroupId: 'bg-1' });
  });

  it('takes only validated needs', () => {
    given([recorded])
      .when({ type: 'GroupNeed', buyersGroupId: 'bg-1' })
      .thenThrows(
        DomainRuleError,
        'The need is recorded; only validated needs go into a buyers group',
      );
    given([recorded, validated, withdrawn])
      .when({ type: 'GroupNeed', buyersGroupId: 'bg-1' })
      .thenThrows(DomainRuleError, /The need is withdrawn/);
    given([]).when({ type: 'GroupNeed', buyersGroupId: 'bg-1' }).thenThrows(NotFoundError);
  });
});

describe('releasing a claim when the group could not be formed', () => {
  const grouped: NeedEvent = {
    type: 'NeedGrouped',
    data: { needId: 'need-7f3a9c', buyersGroupId: 'bg-1' },
  };
  const released: NeedEvent = {
    type: 'NeedReleased',
    data: { needId: 'need-7f3a9c', buyersGroupId: 'bg-1' },
  };

  it('frees the need for another group', () => {
    given([recorded, validated, grouped])
      .when({ type: 'ReleaseNeed', buyersGroupId: 'bg-1' })
      .then([released]);
    given([recorded, validated, grouped, released])
      .when({ type: 'GroupNeed', buyersGroupId: 'bg-2' })
      .then([{ type: 'NeedGrouped', data: { needId: 'need-7f3a9c', buyersGroupId: 'bg-2' } }]);
  });

  it("never releases another group's claim, nor a need that is free", () => {
    given([recorded, validated, grouped])
      .when({ type: 'ReleaseNeed', buyersGroupId: 'bg-2' })
      .thenNothingHappens();
    given([recorded, validated])
      .when({ type: 'ReleaseNeed', buyersGroupId: 'bg-1' })
      .thenNothingHappens();
  });
});

describe('published language', () => {
  const prioritised: NeedEvent = {
    type: 'NeedPrioritised',
    data: { needId: 'need-7f3a9c', org: owner, score: 87, criteria: { impact: 90 } },
  };

  it.each([recorded, validated, rejected, withdrawn, prioritised].map((e) => [e.type, e] as const))(
    '%s publishes its declared fields as a valid integration event',
    (type, event) => {
      const definition = definitionOf(type);
      expect(definition.context).toBe('needs');
      const declared = Object.keys(definition.schema['properties'] as object);
      const published = Object.fromEntries(
        Object.entries(event.data as object).filter(([key]) => declared.includes(key)),
      );
      expect(integrationEvents.check(definition, published)).toEqual({ valid: true });
    },
  );

  it('keeps the description and evidence inside the context', () => {
    const declared = Object.keys(definitionOf('NeedRecorded').schema['properties'] as object);
    expect(declared).not.toContain('description');
    expect(declared).not.toContain('evidence');
  });
});
