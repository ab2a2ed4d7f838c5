import type { Decider, DomainEvent } from '../decider';
import { DomainRuleError, InvalidStateError, NotFoundError } from '../errors';

/** A small pilot aggregate that exercises every path of the decider runtime in tests. */
export type PilotCommand =
  | { type: 'PlanPilot'; title: string; kpis: string[] }
  | { type: 'StartPilot' }
  | { type: 'RecordMeasurement'; kpi: string; value: number }
  | { type: 'CompletePilot'; reason?: string };

export type PilotEvent =
  | DomainEvent<'PilotPlanned', { title: string; kpis: string[] }>
  | DomainEvent<'PilotStarted', Record<string, never>>
  | DomainEvent<'MeasurementRecorded', { kpi: string; value: number }>
  | DomainEvent<'PilotCompleted', { measurements: number }>;

export interface PilotState {
  status: 'NONE' | 'PLANNED' | 'RUNNING' | 'COMPLETED';
  kpis: string[];
  measurements: number;
}

export const pilotDecider: Decider<PilotCommand, PilotState, PilotEvent> = {
  initialState: () => ({ status: 'NONE', kpis: [], measurements: 0 }),

  decide(command, state) {
    if (command.type === 'PlanPilot') {
      if (state.status !== 'NONE') throw new InvalidStateError('The pilot is already planned');
      if (command.kpis.length === 0)
        throw new DomainRuleError('A pilot needs at least one KPI', 'NO_KPI');
      return [{ type: 'PilotPlanned', data: { title: command.title, kpis: command.kpis } }];
    }
    if (state.status === 'NONE') throw new NotFoundError('No such pilot');
    switch (command.type) {
      case 'StartPilot':
        if (state.status === 'RUNNING') return [];
        if (state.status !== 'PLANNED')
          throw new InvalidStateError(`A ${state.status} pilot cannot start`);
        return [{ type: 'PilotStarted', data: {} }];
      case 'RecordMeasurement':
        if (state.status !== 'RUNNING')
          throw new InvalidStateError('Measurements need a running pilot');
        if (!state.kpis.includes(command.kpi)) {
          throw new DomainRuleError(`Unknown KPI ${command.kpi}`, 'UNKNOWN_KPI', {
            kpis: state.kpis,
          });
        }
        return [{ type: 'MeasurementRecorded', data: { kpi: command.kpi, value: command.value } }];
      case 'CompletePilot':
        if (state.status !== 'RUNNING')
          throw new InvalidStateError('Only a running pilot can complete');
        if (!command.reason)
          throw new DomainRuleError('Completing a pilot needs a reason', 'REASON_REQUIRED');
        return [
          {
            type: 'PilotCompleted',
            data: { measurements: state.measurements },
            reason: command.reason,
          },
        ];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PilotPlanned':
        return { ...state, status: 'PLANNED', kpis: event.data.kpis };
      case 'PilotStarted':
        return { ...state, status: 'RUNNING' };
      case 'MeasurementRecorded':
        return { ...state, measurements: state.measurements + 1 };
      case 'PilotCompleted':
        return { ...state, status: 'COMPLETED' };
    }
  },
};
