import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { TestbedRegisteredEvent, integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  testbedDecider,
  testbedFacts,
  type RegisterTestbed,
  type TestbedEvent,
  type TestbedState,
} from './testbed';

const given = DeciderSpecification.for(testbedDecider);

const register: RegisterTestbed = {
  type: 'RegisterTestbed',
  testbedId: 'tb-ourense',
  actorOrg: 'org-sergas',
  name: 'Ourense living lab',
  testbedType: 'LIVING_LAB',
  region: 'ES11',
  enollLabelled: true,
  capabilities: ['emergency_department', 'ehr_integration'],
  capacity: 6,
};
const registered: TestbedEvent = {
  type: 'TestbedRegistered',
  data: {
    testbedId: 'tb-ourense',
    org: 'org-sergas',
    name: 'Ourense living lab',
    type: 'LIVING_LAB',
    region: 'ES11',
    enollLabelled: true,
    capabilities: ['emergency_department', 'ehr_integration'],
    capacity: 6,
  },
};

describe('registering a testbed', () => {
  it('registers a living lab with its label, region, capabilities and capacity', () => {
    given([]).when(register).then([registered]);
    given([]).when(register).thenState({ status: 'REGISTERED', testbed: registered.data });
  });

  it('publishes a payload the TestbedRegistered schema accepts', () => {
    const [event] = testbedDecider.decide(register, testbedDecider.initialState());
    expect(integrationEvents.check(TestbedRegisteredEvent, event.data)).toEqual({ valid: true });
  });

  it('registers every kind of testbed; without a capacity there is no limit, without a label none is assumed', () => {
    for (const testbedType of ['HOSPITAL', 'SANDBOX', 'CLINICAL_TRIAL_UNIT', 'OTHER']) {
      const [event] = testbedDecider.decide(
        { ...register, testbedType, enollLabelled: undefined, capacity: undefined },
        testbedDecider.initialState(),
      );
      expect(event.data).toMatchObject({ type: testbedType, enollLabelled: false, capacity: null });
    }
  });

  it('trims names and keeps a repeated capability once', () => {
    given([])
      .when({ ...register, name: '  Ourense living lab ', capabilities: ['ehr', ' ehr', 'icu'] })
      .then([{ ...registered, data: { ...registered.data, capabilities: ['ehr', 'icu'] } }]);
  });

  it('refuses an ENoLL label on anything but a living lab', () => {
    const error = given([])
      .when({ ...register, testbedType: 'HOSPITAL' })
      .thenThrows(DomainRuleError, /Only a living lab can be ENoLL-labelled/);
    expect(error.code).toBe('ENOLL_LABEL_NOT_LIVING_LAB');
  });

  it('refuses an unknown kind of testbed', () => {
    const error = given([])
      .when({ ...register, testbedType: 'LAB' })
      .thenThrows(
        DomainRuleError,
        /"LAB" is not a kind of testbed; use one of HOSPITAL, LIVING_LAB/,
      );
    expect(error.code).toBe('UNKNOWN_TESTBED_TYPE');
  });

  it('refuses a region that is not a NUTS 2021 code', () => {
    given([])
      .when({ ...register, region: 'Galicia' })
      .thenThrows(DomainRuleError, /"Galicia" is not a NUTS 2021 region code/);
    given([])
      .when({ ...register, region: 'ES99' })
      .thenThrows(DomainRuleError, /not a NUTS 2021 region code/);
  });

  it('needs a name and at least one capability, none of them blank', () => {
    given([])
      .when({ ...register, name: ' ' })
      .thenThrows(DomainRuleError, 'The testbed name must not be empty');
    const error = given([])
      .when({ ...register, capabilities: [] })
      .thenThrows(DomainRuleError, /List at least one capability/);
    expect(error.code).toBe('CAPABILITIES_REQUIRED');
    given([])
      .when({ ...register, capabilities: ['icu', ''] })
      .thenThrows(DomainRuleError, 'The capability 2 must not be empty');
  });

  it('refuses a capacity that is not a whole number of 1 or more', () => {
    for (const capacity of [0, -2, 1.5]) {
      const error = given([])
        .when({ ...register, capacity })
        .thenThrows(DomainRuleError, /capacity is the number of pilots the testbed hosts at once/);
      expect(error.code).toBe('INVALID_CAPACITY');
    }
  });

  it('registers a testbed once', () => {
    given([registered])
      .when(register)
      .thenThrows(InvalidStateError, 'The testbed tb-ourense is already registered');
  });
});

describe('testbed facts for a pilot plan', () => {
  it('are taken from a registered testbed', () => {
    const state = testbedDecider.evolve(testbedDecider.initialState(), registered);
    expect(testbedFacts(state)).toEqual({
      testbedId: 'tb-ourense',
      org: 'org-sergas',
      type: 'LIVING_LAB',
      region: 'ES11',
      enollLabelled: true,
      capacity: 6,
    });
  });

  it('do not exist for an unregistered one', () => {
    const none: TestbedState = testbedDecider.initialState();
    expect(() => testbedFacts(none)).toThrow(NotFoundError);
  });
});
