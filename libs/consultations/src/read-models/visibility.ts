import type { HistoryItem } from '@pcp/http';
import type { ClarificationView, ConsultationView } from './consultation-view';

/** Who reads: the organisation and roles of the token. */
export interface Viewer {
  org: string;
  roles: readonly string[];
}

/**
 * The organising organisation and auditors see every response and question. Platform admins
 * operate the platform: suppliers' responses are not theirs to read.
 */
export function seesEverything(view: Pick<ConsultationView, 'org'>, viewer: Viewer): boolean {
  return viewer.org === view.org || viewer.roles.includes('auditor');
}

/** A supplier organisation that has responded (its response may since have been replaced). */
export function isRespondent(view: Pick<ConsultationView, 'responses'>, org: string): boolean {
  return view.responses.some((r) => r.supplierOrg === org);
}

/**
 * Clarifications as a reader may see them. Equal treatment: every answered question goes to
 * every respondent, without saying who asked; a question still unanswered stays between
 * its asker and the organiser.
 */
export function clarificationsFor(view: ConsultationView, viewer: Viewer): ClarificationView[] {
  if (seesEverything(view, viewer)) return view.clarifications;
  return view.clarifications
    .filter((c) => c.answer !== null || c.askedByOrg === viewer.org)
    .map((c) => (c.askedByOrg === viewer.org ? c : { ...c, askedByOrg: null }));
}

/** The consultation as a reader may see it: other suppliers' responses are theirs alone. */
export function consultationFor(view: ConsultationView, viewer: Viewer): ConsultationView {
  if (seesEverything(view, viewer)) return view;
  return {
    ...view,
    responses: view.responses.filter((r) => r.supplierOrg === viewer.org),
    clarifications: clarificationsFor(view, viewer),
  };
}

const SUPPLIER_EVENTS = new Set([
  'ConsultationResponseSubmitted',
  'ConsultationResponseReplaced',
  'ClarificationRequested',
]);

/**
 * History as a reader may see it: every event stays in place (revision, time, hash), but
 * what another supplier sent, and who that supplier is, is withheld from other suppliers.
 */
export function historyFor(
  view: Pick<ConsultationView, 'org'>,
  items: HistoryItem[],
  viewer: Viewer,
): HistoryItem[] {
  if (seesEverything(view, viewer)) return items;
  return items.map((item) => {
    if (!SUPPLIER_EVENTS.has(item.type) || item.actor.org === viewer.org) return item;
    const { consultationId } = item.data as { consultationId?: string };
    return {
      ...item,
      actor: { userId: 'withheld', org: null, roles: [] },
      data: { consultationId, withheld: true },
    };
  });
}
