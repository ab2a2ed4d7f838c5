import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  buyersGroupDecider,
  spansSeveralRegions,
  type BuyersGroupCommand,
  type BuyersGroupEvent,
  type NeedFacts,
} from './buyers-group';
import { NotOwnerError } from './errors';

const given = DeciderSpecification.for(buyersGroupDecider);

function definitionOf(type: string) {
  const definition = integrationEvents.find(type);
  if (!definition) throw new Error(`${type} is not a declared integration event`);
  return definition;
}

const need = (id: string, org: string, region: string, changes: Partial<NeedFacts> = {}) => ({
  id,
  org,
  region,
  status: 'VALIDATED' as const,
  buyersGroupId: null,
  ...changes,
});
const galicia = need('need-gal', 'org-sergas', 'ES11');
const galicia2 = need('need-gal-2', 'org-sergas', 'ES11');
const navarra = need('need-nav', 'org-navarrabiomed', 'ES22');
const lombardy = need('need-lom', 'org-aria', 'ITC4');

const form = (
  needIds: string[],
  needs: NeedFacts[],
  changes: Partial<Extract<BuyersGroupCommand, { type: 'FormBuyersGroup' }>> = {},
): BuyersGroupCommand => ({
  type: 'FormBuyersGroup',
  buyersGroupId: 'bg-51c2',
  actorOrg: 'org-sergas',
  name: ' Atlantic sepsis buyers group ',
  needIds,
  needs,
  ...changes,
});

const formedAlone: BuyersGroupEvent = {
  type: 'BuyersGroupFormed',
  data: {
    buyersGroupId: 'bg-51c2',
    name: 'Atlantic sepsis buyers group',
    leadOrg: 'org-sergas',
    memberOrgs: ['org-sergas'],
    needIds: ['need-gal'],
    regions: ['ES11'],
  },
};
const join = (facts: NeedFacts | undefined, actorOrg = 'org-navarrabiomed', needId = facts?.id) =>
  ({ type: 'JoinBuyersGroup', actorOrg, needId: needId ?? 'need-x', need: facts }) as const;
const navarraJoined: BuyersGroupEvent = {
  type: 'BuyersGroupJoined',
  data: { buyersGroupId: 'bg-51c2', needId: 'need-nav', org: 'org-navarrabiomed', region: 'ES22' },
};

describe('forming a buyers group', () => {
  it("forms with the lead organisation's own validated need, in one region", () => {
    given([])
      .when(form(['need-gal'], [galicia]))
      .then([formedAlone]);
  });

  it('may start with several needs of its own organisation', () => {
    given([])
      .when(form(['need-gal', 'need-gal-2'], [galicia, galicia2]))
      .then([
        {
          type: 'BuyersGroupFormed',
          data: { ...formedAlone.data, needIds: ['need-gal', 'need-gal-2'] },
        },
      ]);
  });

  it("refuses another organisation's need, naming it and who joins with it", () => {
    const error = given([])
      .when(form(['need-gal', 'need-nav'], [galicia, navarra]))
      .thenThrows(
        NotOwnerError,
        'A buyers group is formed with needs of your own organisation only; need-nav belongs to ' +
          'org-navarrabiomed: that organisation joins the group with it once the group is formed',
      );
    expect(error.code).toBe('NOT_OWNER');
    expect(error.details).toEqual({ needs: [{ needId: 'need-nav', org: 'org-navarrabiomed' }] });
  });

  it('refuses needs of other organisations only, listing every one', () => {
    given([])
      .when(form(['need-nav', 'need-lom'], [navarra, lombardy]))
      .thenThrows(
        NotOwnerError,
        'A buyers group is formed with needs of your own organisation only; need-nav belongs to ' +
          'org-navarrabiomed, need-lom belongs to org-aria: each organisation joins the group ' +
          'with its own need once the group is formed',
      );
  });

  it('refuses a foreign need before looking at its state', () => {
    const foreignDraft = need('need-nav', 'org-navarrabiomed', 'ES22', { status: 'RECORDED' });
    given([])
      .when(form(['need-gal', 'need-nav'], [galicia, foreignDraft]))
      .thenThrows(NotOwnerError, /need-nav belongs to org-navarrabiomed/);
  });

  it('needs at least one need, each listed once', () => {
    given([])
      .when(form([], []))
      .thenThrows(DomainRuleError, /at least one validated need/);
    given([])
      .when(form(['need-gal', 'need-gal'], [galicia]))
      .thenThrows(DomainRuleError, 'The need need-gal is listed more than once');
  });

  it('refuses needs it knows nothing about, naming them', () => {
    const error = given([])
      .when(form(['need-gal', 'need-ghost'], [galicia]))
      .thenThrows(DomainRuleError, 'No need is known with the id need-ghost');
    expect(error.details).toEqual({ needIds: ['need-ghost'] });
  });

  it('takes only validated needs', () => {
    const recorded = need('need-rec', 'org-sergas', 'ES11', { status: 'RECORDED' });
    const error = given([])
      .when(form(['need-gal', 'need-rec'], [galicia, recorded]))
      .thenThrows(
        DomainRuleError,
        'Only validated needs go into a buyers group; not validated: need-rec (recorded)',
      );
    expect(error.code).toBe('NEED_NOT_VALIDATED');
  });

  it('takes no need that is already in another group', () => {
    const taken = need('need-gal', 'org-sergas', 'ES11', { buyersGroupId: 'bg-other' });
    given([])
      .when(form(['need-gal'], [taken]))
      .thenThrows(DomainRuleError, /need-gal already belongs to buyers group bg-other/);
  });

  it('needs a name', () => {
    given([])
      .when(form(['need-gal'], [galicia], { name: '' }))
      .thenThrows(DomainRuleError, 'The name must not be empty');
  });

  it('forms once', () => {
    given([formedAlone])
      .when(form(['need-gal'], [galicia]))
      .thenThrows(InvalidStateError, 'This buyers group is already formed');
  });
});

describe('joining a buyers group', () => {
  it('adds a validated need of the joining organisation and its region', () => {
    given([formedAlone]).when(join(navarra)).then([navarraJoined]);
    given([formedAlone])
      .when(join(navarra))
      .thenState({
        status: 'FORMED',
        buyersGroupId: 'bg-51c2',
        name: 'Atlantic sepsis buyers group',
        leadOrg: 'org-sergas',
        memberOrgs: ['org-sergas', 'org-navarrabiomed'],
        needIds: ['need-gal', 'need-nav'],
        regions: ['ES11', 'ES22'],
      });
  });

  it('lets a second organisation of the same region join without adding a region', () => {
    const vigo = need('need-vigo', 'org-vigo', 'ES11');
    given([formedAlone])
      .when(join(vigo, 'org-vigo'))
      .thenState(
        expect.objectContaining({ regions: ['ES11'], needIds: ['need-gal', 'need-vigo'] }),
      );
  });

  it("refuses to join with another organisation's need", () => {
    given([formedAlone])
      .when(join(lombardy, 'org-navarrabiomed'))
      .thenThrows(
        NotOwnerError,
        'An organisation joins a buyers group with a need of its own; need-lom belongs to org-aria',
      );
  });

  it('refuses a need that is not validated', () => {
    const withdrawn = need('need-nav', 'org-navarrabiomed', 'ES22', { status: 'WITHDRAWN' });
    given([formedAlone])
      .when(join(withdrawn))
      .thenThrows(
        DomainRuleError,
        'The need need-nav is withdrawn; validate it before joining a buyers group',
      );
  });

  it('refuses a need of another group, and a need already in this one', () => {
    const elsewhere = need('need-nav', 'org-navarrabiomed', 'ES22', { buyersGroupId: 'bg-9' });
    given([formedAlone])
      .when(join(elsewhere))
      .thenThrows(DomainRuleError, /already belongs to buyers group bg-9/);
    given([formedAlone, navarraJoined])
      .when(join(navarra))
      .thenThrows(InvalidStateError, 'The need need-nav is already in this buyers group');
  });

  it('refuses an unknown need and an unknown group', () => {
    given([formedAlone])
      .when(join(undefined, 'org-navarrabiomed', 'need-ghost'))
      .thenThrows(DomainRuleError, 'No need is known with the id need-ghost');
    given([]).when(join(navarra)).thenThrows(NotFoundError, 'There is no such buyers group');
  });
});

describe('regions of a group', () => {
  it('is cross-regional from two regions on: formed with one, grown by joining', () => {
    expect(
      spansSeveralRegions(
        buyersGroupDecider.evolve(buyersGroupDecider.initialState(), formedAlone),
      ),
    ).toBe(false);
    const grown = [formedAlone, navarraJoined].reduce(
      buyersGroupDecider.evolve,
      buyersGroupDecider.initialState(),
    );
    expect(spansSeveralRegions(grown)).toBe(true);
  });
});

describe('published language', () => {
  it.each([formedAlone, navarraJoined].map((e) => [e.type, e] as const))(
    '%s publishes its declared fields as a valid integration event',
    (type, event) => {
      const definition = definitionOf(type);
      const declared = Object.keys(definition.schema['properties'] as object);
      const published = Object.fromEntries(
        Object.entries(event.data).filter(([key]) => declared.includes(key)),
      );
      expect(integrationEvents.check(definition, published)).toEqual({ valid: true });
    },
  );
});
