import {
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type Decider,
  type DomainEvent,
} from '@pcp/eventsourcing';
import {
  TESTBED_TYPES,
  isNutsCode,
  type TestbedRegistered,
  type TestbedType,
} from '@pcp/contracts';
import { CAPABILITY_LIMIT, TITLE_LIMIT, requiredText } from './text-rules';

/** `testbedType` is the API's `type` (the command's own `type` names the command). */
export interface RegisterTestbed {
  type: 'RegisterTestbed';
  testbedId: string;
  /** The registering organisation operates the testbed. */
  actorOrg: string;
  name: string;
  testbedType: string;
  region: string;
  enollLabelled?: boolean | null;
  capabilities: string[];
  capacity?: number | null;
}

export type TestbedCommand = RegisterTestbed;

export type TestbedEvent = DomainEvent<'TestbedRegistered', TestbedRegistered>;

export interface TestbedState {
  status: 'NONE' | 'REGISTERED';
  testbed: TestbedRegistered | null;
}

/**
 * What a pilot needs to know about its testbed; the application layer passes it in from
 * its testbed projection.
 */
export type TestbedFacts = Pick<
  TestbedRegistered,
  'testbedId' | 'org' | 'type' | 'region' | 'enollLabelled' | 'capacity'
>;

export const testbedDecider: Decider<TestbedCommand, TestbedState, TestbedEvent> = {
  initialState: () => ({ status: 'NONE', testbed: null }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterTestbed':
        return [registration(command, state)];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'TestbedRegistered':
        return { status: 'REGISTERED', testbed: event.data };
    }
  },
};

/** The facts a pilot plan needs, from a registered testbed's state. */
export function testbedFacts(state: TestbedState): TestbedFacts {
  if (!state.testbed) throw new NotFoundError('There is no such testbed', 'TESTBED_NOT_FOUND');
  const { testbedId, org, type, region, enollLabelled, capacity } = state.testbed;
  return { testbedId, org, type, region, enollLabelled, capacity };
}

function registration(command: RegisterTestbed, state: TestbedState): TestbedEvent {
  if (state.status !== 'NONE') {
    throw new InvalidStateError(
      `The testbed ${command.testbedId} is already registered`,
      'TESTBED_EXISTS',
    );
  }
  const name = requiredText('testbed name', command.name, TITLE_LIMIT);
  const type = command.testbedType;
  if (!isTestbedType(type)) {
    throw new DomainRuleError(
      `${JSON.stringify(type)} is not a kind of testbed; use one of ${TESTBED_TYPES.join(', ')}`,
      'UNKNOWN_TESTBED_TYPE',
      { type, allowed: TESTBED_TYPES },
    );
  }
  if (!isNutsCode(command.region)) {
    throw new DomainRuleError(
      `${JSON.stringify(command.region)} is not a NUTS 2021 region code; use a code such as ES11 (Galicia)`,
      'UNKNOWN_REGION',
      { region: command.region },
    );
  }
  const enollLabelled = command.enollLabelled ?? false;
  // ENoLL labels living labs only; a label on a hospital would let it pass as one.
  if (enollLabelled && type !== 'LIVING_LAB') {
    throw new DomainRuleError(
      `Only a living lab can be ENoLL-labelled; register this ${type.toLowerCase()} without enollLabelled, or as LIVING_LAB`,
      'ENOLL_LABEL_NOT_LIVING_LAB',
      { type },
    );
  }
  return {
    type: 'TestbedRegistered',
    data: {
      testbedId: command.testbedId,
      org: command.actorOrg,
      name,
      type,
      region: command.region,
      enollLabelled,
      capabilities: capabilitiesOf(command.capabilities),
      capacity: capacityOf(command.capacity),
    },
  };
}

function isTestbedType(value: unknown): value is TestbedType {
  return (TESTBED_TYPES as readonly unknown[]).includes(value);
}

/** At least one; the same capability twice is kept once. */
function capabilitiesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [];
  if (list.length === 0) {
    throw new DomainRuleError(
      'List at least one capability of the testbed (what it can host, e.g. ehr_integration)',
      'CAPABILITIES_REQUIRED',
    );
  }
  const capabilities = list.map((c, i) => requiredText(`capability ${i + 1}`, c, CAPABILITY_LIMIT));
  return [...new Set(capabilities)];
}

/** How many pilots the testbed hosts at once; none given means no limit. */
function capacityOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new DomainRuleError(
      `The capacity is the number of pilots the testbed hosts at once: a whole number of 1 or more, not ${JSON.stringify(value)}; leave it out for no limit`,
      'INVALID_CAPACITY',
      { capacity: value },
    );
  }
  return value as number;
}
