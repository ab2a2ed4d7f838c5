/**
 * Client-side scenarios that run unchanged against the embedded platform and against the
 * distributed services behind the gateway: plain HTTP, as an outside client would.
 */
export interface Client {
  baseUrl: string;
  token(claims: {
    sub: string;
    org: string;
    roles: string[];
    sme?: boolean;
    country?: string;
  }): Promise<string>;
}

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(
  client: Client,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const res = await fetch(`${client.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const DAY = 86_400_000;

export const galicianNeed = {
  title: 'Early detection of sepsis in emergency departments',
  description:
    'Sepsis is recognised too late in two out of five emergency admissions; clinicians need an early ' +
    'warning from routine vital signs and laboratory values.',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection', 'decision_support'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: ['data_fragmentation', 'ai_uncertainty'],
  evidence: [{ title: 'Regional sepsis audit 2024' }],
};

export function consultationFor(needId: string) {
  return {
    needId,
    title: 'Open market consultation: early sepsis warning',
    description: 'What can detect sepsis earlier from routine data, and how mature is it?',
    opensAt: new Date(Date.now() + 35 * DAY).toISOString(),
    closesAt: new Date(Date.now() + 75 * DAY).toISOString(),
    questions: ['Which data does your solution need?', 'What is its TRL today?'],
    stateOfTheArtTrl: 5,
  };
}
